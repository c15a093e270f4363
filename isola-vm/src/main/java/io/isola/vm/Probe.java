package io.isola.vm;

import io.isola.linux.Libc;
import io.isola.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds out whether KVM really runs a guest: boots the image's kernel with {@code isola.probe}, whose /init only
 * prints a marker and powers off. A real KVM does that in well under a second; here /dev/kvm is a software backend
 * on which the guest hangs, so after the time limit the answer is TCG. The result is kept in {@code accelerator}.
 */
public final class Probe {
    private static final long LIMIT_MS = 15_000;

    private Probe() {}

    static Accelerator accelerator(VmImage image, Path vmDir) {
        Path cache = vmDir.resolve("accelerator");
        try {
            String[] f = cached(vmDir);
            if (f != null && f.length == 2 && f[1].equals(image.hash())) {
                return Accelerator.valueOf(f[0]);
            }
            Accelerator a = kvmBoots(image, vmDir) ? Accelerator.KVM : Accelerator.TCG;
            Files.writeString(cache, a + " " + image.hash() + "\n");
            return a;
        } catch (IOException | IllegalArgumentException e) {
            return Accelerator.TCG;
        }
    }

    /** What the last probe found, for isola doctor; null when no probe ran yet (or its record is unreadable). */
    public static Accelerator lastResult(Path vmDir) {
        try {
            String[] f = cached(vmDir);
            return f == null ? null : Accelerator.valueOf(f[0]);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The probe's record, "ACCELERATOR IMAGE-HASH", split; null when there is none. */
    private static String[] cached(Path vmDir) throws IOException {
        Path cache = vmDir.resolve("accelerator");
        return Files.exists(cache) ? Files.readString(cache).trim().split(" ") : null;
    }

    private static boolean kvmBoots(VmImage image, Path vmDir) throws IOException {
        if (!Files.exists(Path.of("/dev/kvm")) || !Libc.access("/dev/kvm", Libc.R_OK | Libc.W_OK)) {
            return false;
        }
        Path log = vmDir.resolve("probe.log");
        int fd = Libc.openWrite(log.toString(), false);
        int pid;
        try {
            pid = Spawn.of(List.of(
                            "/usr/bin/qemu-system-x86_64",
                            "-nodefaults",
                            "-no-user-config",
                            "-display",
                            "none",
                            "-no-reboot",
                            "-M",
                            "microvm,acpi=on",
                            "-accel",
                            "kvm",
                            "-cpu",
                            "host",
                            "-m",
                            "128M",
                            "-kernel",
                            image.kernel().toString(),
                            "-initrd",
                            image.initrd().toString(),
                            "-append",
                            "console=ttyS0 quiet panic=-1 rdinit=/init isola.probe",
                            "-serial",
                            "stdio"))
                    .openReadOnly(0, "/dev/null")
                    .fd(1, fd)
                    .fd(2, fd)
                    .start();
        } finally {
            Libc.close(fd);
        }
        long deadline = System.currentTimeMillis() + LIMIT_MS;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (Files.readString(log).contains(GuestInit.PROBE_OK)) {
                    return true;
                }
                if (Libc.waitpid(pid, Libc.WNOHANG) != -1) {
                    pid = -1;
                    return Files.readString(log).contains(GuestInit.PROBE_OK);
                }
                Thread.sleep(50);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (pid > 0) {
                Libc.kill(pid, Libc.SIGKILL);
                Libc.waitpid(pid, 0);
            }
            Files.deleteIfExists(log);
        }
    }
}
