package io.isola.vm;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Debian cloud kernel installed on the host: its image in /boot and its modules in /lib/modules. */
record Kernel(String version, Path vmlinuz, Path modules) {
    static final String PACKAGE = "linux-image-cloud-amd64";

    /** The newest installed cloud kernel that has its modules. */
    static Kernel find() {
        return find(Path.of("/boot"), Path.of("/lib/modules"));
    }

    static Kernel find(Path boot, Path moduleRoot) {
        List<Kernel> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(boot, "vmlinuz-*-cloud-amd64")) {
            for (Path p : ds) {
                String version = p.getFileName().toString().substring("vmlinuz-".length());
                Path modules = moduleRoot.resolve(version);
                if (Files.isDirectory(modules)) {
                    found.add(new Kernel(version, p, modules));
                }
            }
        } catch (IOException e) {
            // no /boot: reported below
        }
        return found.stream()
                .max((a, b) -> compareVersions(a.version, b.version))
                .orElseThrow(() -> new IsolaException("no Debian cloud kernel in " + boot + " (with its modules in "
                        + moduleRoot + "): the vm engine needs it, apt-get install " + PACKAGE));
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]"), y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("\\d+") && y[i].matches("\\d+")
                    ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
