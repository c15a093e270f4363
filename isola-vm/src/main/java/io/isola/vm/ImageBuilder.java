package io.isola.vm;

import io.isola.core.CellEtc;
import io.isola.core.FileTrees;
import io.isola.core.IsolaException;
import io.isola.core.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Builds the VM image from what Debian installed on this host, downloading nothing: the cloud kernel and its virtio
 * modules, busybox-static, the guest agent's classes, and a read-only squashfs of the host's /usr and /etc (the same
 * golden image the sandbox engine shows, minus documentation, headers and other JDKs: {@link RootFs}). Every input
 * is read in a fixed order and every timestamp is zeroed, so building twice from the same host gives the same hash.
 */
public final class ImageBuilder {
    /** DESIGN.md's order: each module needs the ones before it (the package ships no modules.dep). */
    static final List<String> MODULES = List.of(
            "drivers/virtio/virtio_ring",
            "drivers/virtio/virtio",
            "drivers/virtio/virtio_pci_legacy_dev",
            "drivers/virtio/virtio_pci_modern_dev",
            "drivers/virtio/virtio_pci",
            "drivers/virtio/virtio_mmio",
            "drivers/block/virtio_blk",
            "drivers/char/virtio_console",
            "fs/squashfs/squashfs",
            "fs/overlayfs/overlay");

    static final Path BUSYBOX = Path.of("/bin/busybox");
    /**
     * What the builder packs and how (2: /usr/share data, the filtered /etc; 3: X11's data and /var/lib/xkb for
     * windows); a new version rebuilds images.
     */
    private static final int VERSION = 3;

    private final Path dir;
    private final Path javaHome;
    private final Path busybox;
    private final Consumer<String> progress;

    /** @param javaHome the JDK the agent runs on in the guest; it must live under /usr, which the guest sees */
    public ImageBuilder(Path dir, Path javaHome, Consumer<String> progress) {
        this(dir, javaHome, BUSYBOX, progress);
    }

    /** @param busybox the guest's shell and tools until its root is mounted: it must be a static program */
    ImageBuilder(Path dir, Path javaHome, Path busybox, Consumer<String> progress) {
        this.dir = dir;
        this.javaHome = javaHome;
        this.busybox = busybox;
        this.progress = progress;
    }

    /** The JDK running Isola, which the golden image shares with the host. */
    public static Path runningJdk() {
        return Path.of(System.getProperty("java.home"));
    }

    public VmImage build() {
        if (!Files.isExecutable(busybox) || !Files.isExecutable(Path.of("/usr/bin/mksquashfs"))) {
            throw new IsolaException("building the VM image needs busybox-static and squashfs-tools: "
                    + "apt-get install busybox-static squashfs-tools");
        }
        requireStatic(busybox);
        Kernel kernel = Kernel.find();
        if (!javaHome.startsWith("/usr/lib/jvm/") || javaHome.getNameCount() != 4) {
            throw new IsolaException("the guest agent runs on the host's JDK, which must be in /usr/lib/jvm (it is "
                    + javaHome + "): install temurin-25-jdk or openjdk-25-jdk from Debian's packages");
        }
        Path tmp = dir.resolveSibling(dir.getFileName() + ".new");
        try {
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            progress.accept("kernel " + kernel.version() + " from " + kernel.vmlinuz());
            Files.copy(kernel.vmlinuz(), tmp.resolve(VmImage.KERNEL));
            progress.accept("initramfs: busybox, " + MODULES.size() + " modules, the agent");
            writeInitrd(kernel, tmp.resolve(VmImage.INITRD));
            progress.accept("root file system: squashfs of /usr (bin, sbin, lib, libexec, " + javaHome
                    + ", the data handlers need in share) and of /etc without its secrets");
            squash(tmp.resolve(VmImage.ROOTFS));
            progress.accept("hashing");
            String hash = hash(tmp);
            Files.writeString(tmp.resolve(VmImage.HASH), hash + "\n");
            Files.writeString(tmp.resolve(VmImage.INPUTS), inputs(javaHome) + "\n");
            for (Path p : List.of(
                    tmp,
                    tmp.resolve(VmImage.KERNEL),
                    tmp.resolve(VmImage.INITRD),
                    tmp.resolve(VmImage.ROOTFS),
                    tmp.resolve(VmImage.HASH),
                    tmp.resolve(VmImage.INPUTS))) {
                Files.setPosixFilePermissions(
                        p,
                        java.nio.file.attribute.PosixFilePermissions.fromString(
                                Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
            FileTrees.delete(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return new VmImage(dir, hash);
        } catch (IOException e) {
            throw new IsolaException("cannot build the VM image in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolaException("VM image build interrupted");
        } finally {
            try {
                FileTrees.delete(tmp);
            } catch (IOException ignored) {
                // best effort: the next build starts by removing it
            }
        }
    }

    /**
     * Debian's busybox (dynamic) replaces busybox-static when installed: packed as is, its interpreter is missing
     * when /init runs, and the guest dies with "No working init found" long after the build said it succeeded.
     */
    static void requireStatic(Path busybox) {
        java.util.Optional<String> interp;
        try {
            interp = Elf.interpreter(busybox);
        } catch (IOException e) {
            throw new IsolaException(busybox + " is not a usable program (" + e.getMessage()
                    + "): apt-get install --reinstall busybox-static");
        }
        if (interp.isPresent()) {
            throw new IsolaException(busybox + " is dynamically linked (it needs " + interp.get()
                    + "), so it cannot start the VM: apt-get install busybox-static");
        }
    }

    private void writeInitrd(Kernel kernel, Path target) throws IOException {
        try (Cpio cpio = new Cpio(new BufferedOutputStream(Files.newOutputStream(target)))) {
            for (String d : List.of("dev", "proc", "sys", "usr", "tmp", "etc", "isola", "isola/mods", "root")) {
                cpio.directory(d);
            }
            for (String l : List.of("bin", "sbin", "lib", "lib64")) {
                cpio.symlink(l, "usr/" + l);
            }
            cpio.file("isola/busybox", 0755, Files.readAllBytes(busybox));
            for (String m : MODULES) {
                Path ko = kernel.modules().resolve("kernel").resolve(m + ".ko");
                if (!Files.exists(ko)) {
                    throw new IsolaException("the kernel package lacks " + ko
                            + ": reinstall it (apt-get install --reinstall linux-image-cloud-amd64)");
                }
                cpio.file("isola/mods/" + Path.of(m).getFileName() + ".ko", 0644, Files.readAllBytes(ko));
            }
            // the top layer of the guest's /etc, over the host's filtered one from the root file system
            cpio.directory("isola/etc");
            for (Map.Entry<String, String> f :
                    CellEtc.replacements(OptionalInt.empty()).entrySet()) {
                cpio.file("isola/etc/" + f.getKey(), 0644, f.getValue().getBytes(StandardCharsets.UTF_8));
            }
            cpio.file("init", 0755, GuestInit.script(javaHome, MODULES).getBytes());
            for (String d :
                    List.of("isola/agent", "isola/agent/io", "isola/agent/io/isola", "isola/agent/io/isola/guest")) {
                cpio.directory(d); // the kernel's unpacker makes no missing parents
            }
            for (AgentClass c : agentClasses()) {
                cpio.file("isola/agent/" + c.name(), 0644, c.bytes());
            }
        }
    }

    record AgentClass(String name, byte[] bytes) {}

    /** A cheap fingerprint of what goes into the image besides /usr: the kernel, the JDK and the agent. */
    static String inputs(Path javaHome) {
        MessageDigest sha = Sha256.digest();
        try {
            sha.update(("v" + VERSION + " " + Kernel.find().version()).getBytes());
            sha.update(javaHome.toString().getBytes());
            sha.update(GuestInit.script(javaHome, MODULES).getBytes());
            // the root's rules, not what they find on this host today: that is read at build time only
            sha.update((RootFs.USR_LIB + " " + RootFs.USR_SHARE + " " + CellEtc.HIDDEN).getBytes());
            for (AgentClass c : agentClasses()) {
                sha.update(c.name().getBytes());
                sha.update(c.bytes());
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The agent's class files, read from wherever isola-guest is on the class path (a directory or a jar). */
    static List<AgentClass> agentClasses() throws IOException {
        Path where;
        try {
            where = Path.of(io.isola.guest.Agent.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the guest agent's classes", e);
        }
        List<AgentClass> out = new ArrayList<>();
        if (Files.isDirectory(where)) {
            collect(where, where.resolve("io/isola/guest"), out);
            return out;
        }
        try (FileSystem jar = FileSystems.newFileSystem(where)) {
            collect(jar.getPath("/"), jar.getPath("/io/isola/guest"), out);
        }
        return out;
    }

    private static void collect(Path root, Path pkg, List<AgentClass> out) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pkg, "*.class")) {
            for (Path p : ds) {
                out.add(new AgentClass(root.relativize(p).toString(), Files.readAllBytes(p)));
            }
        }
        out.sort(Comparator.comparing(AgentClass::name));
    }

    private void squash(Path target) throws IOException, InterruptedException {
        List<String> cmd = RootFs.command(Path.of("/usr"), Path.of("/etc"), javaHome, target);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IsolaException("mksquashfs failed: "
                    + out.lines().findFirst().orElse("(no output)") + " (apt-get install squashfs-tools)");
        }
    }

    private static String hash(Path dir) throws IOException {
        MessageDigest sha = Sha256.digest();
        for (String f : List.of(VmImage.KERNEL, VmImage.INITRD, VmImage.ROOTFS)) {
            try (InputStream in = Files.newInputStream(dir.resolve(f))) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
