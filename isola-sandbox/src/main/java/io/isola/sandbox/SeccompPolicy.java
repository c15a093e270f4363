package io.isola.sandbox;

import io.isola.linux.Libc;
import io.isola.linux.Seccomp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The system calls a cell may not make, and why. Everything not listed is allowed: the namespaces, the missing
 * capabilities and the cell's user already stop most of these, so this filter is the second wall that also closes
 * kernel attack surface an unprivileged process could otherwise reach. The list is documented in docs/seccomp.md.
 */
final class SeccompPolicy {
    private static final int EPERM = 1, ENOSYS = 38;
    private static final long CLONE_NEWUSER = 0x10000000L;
    private static final long TIOCSTI = 0x5412, TIOCLINUX = 0x541C;

    /** Denied with EPERM. Grouped by reason. */
    static final List<String> DENIED = List.of(
            // changing the file system view: mounts and their new API
            "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
            "fspick", "mount_setattr",
            // reaching other processes' memory (there are none outside the pid namespace, but no debugger either)
            "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
            // replacing or extending the kernel
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
            // large, often-exploited kernel surfaces an untrusted task does not need
            "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
            "keyctl", "add_key", "request_key", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie",
            "fanotify_init", "quotactl", "quotactl_fd", "nfsservctl", "uselib", "personality", "modify_ldt",
            // joining other namespaces
            "setns",
            // host-wide state
            "reboot", "swapon", "swapoff", "syslog", "acct", "settimeofday", "clock_settime", "clock_adjtime",
            "adjtimex", "sethostname", "setdomainname", "iopl", "ioperm", "vhangup");

    private SeccompPolicy() {}

    /**
     * The compiled program for this policy, from {@code cacheDir} when an earlier start compiled the same rules
     * (the file name is a hash of them), else compiled now and cached. Compiling costs a few ms per start.
     */
    static Path program(Path cacheDir) {
        String key = Integer.toHexString((DENIED + "|unshare,clone:NEWUSER|clone3:ENOSYS|ioctl:TIOCSTI,TIOCLINUX|"
                + System.getProperty("os.arch")).hashCode());
        Path file = cacheDir.resolve("seccomp-" + key + ".bpf");
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, "seccomp", ".tmp");
            writeBpf(tmp.toString());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the seccomp program to " + cacheDir, e);
        }
    }

    /** Compiles the filter and writes the BPF program to {@code path}. */
    static void writeBpf(String path) {
        try (Seccomp f = Seccomp.allowByDefault()) {
            int eperm = Seccomp.errno(EPERM);
            for (String call : DENIED) {
                f.deny(call, eperm);
            }
            // New user namespaces would hand the task a fresh set of capabilities to probe the kernel with.
            f.denyWhenFlagSet("unshare", eperm, 0, CLONE_NEWUSER);
            f.denyWhenFlagSet("clone", eperm, 0, CLONE_NEWUSER);
            // clone3 passes its flags in memory that seccomp cannot read: make libc fall back to clone.
            f.deny("clone3", Seccomp.errno(ENOSYS));
            // Faking keyboard input into a terminal, and the Linux console's privileged requests.
            f.denyWhenEquals("ioctl", eperm, 1, TIOCSTI);
            f.denyWhenEquals("ioctl", eperm, 1, TIOCLINUX);
            int fd = Libc.openWrite(path, false);
            try {
                f.exportBpf(fd);
            } finally {
                Libc.close(fd);
            }
        }
    }
}
