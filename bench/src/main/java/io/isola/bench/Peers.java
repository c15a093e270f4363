package io.isola.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command lines of Isola's peers, exactly as the benchmark runs them. */
final class Peers {
    static final List<String> TRUE = List.of("/bin/true");

    private Peers() {}

    /** bwrap with the namespaces Isola uses, a read-only /usr and fresh /proc and /dev: no overlay, no cgroup. */
    static List<String> plainBwrap() {
        List<String> c = new ArrayList<>(List.of(
                "/usr/bin/bwrap",
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-net",
                "--unshare-uts",
                "--unshare-cgroup",
                "--die-with-parent",
                "--ro-bind",
                "/usr",
                "/usr"));
        for (String d : List.of("bin", "sbin", "lib", "lib64")) {
            if (Files.isSymbolicLink(Path.of("/", d))) {
                c.addAll(List.of("--symlink", "usr/" + d, "/" + d));
            }
        }
        c.addAll(List.of("--proc", "/proc", "--dev", "/dev", "/bin/true"));
        return c;
    }

    /** gVisor with the ptrace platform (its KVM platform hangs on these machines), no network. */
    static List<String> runsc() {
        return List.of("/usr/bin/runsc", "--network=none", "--platform=ptrace", "do", "/bin/true");
    }

    static boolean runscInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/runsc"));
    }

    static String shell(List<String> argv) {
        return String.join(" ", argv);
    }
}
