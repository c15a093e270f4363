package io.isola.sandbox;

import io.isola.linux.Libc;
import io.isola.linux.Seccomp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
    private static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, NETLINK_ROUTE = 0;
    private static final long SOCK_TYPE_MASK = 0xf, SOCK_PACKET = 10;
    /** Mode and open-flag bits; O_CREAT and __O_TMPFILE as on x86-64 and aarch64, the architectures Isola runs on. */
    private static final long S_ISUID = 04000, S_ISGID = 02000, O_CREAT = 0100, O_TMPFILE = 020000000;

    /** Denied with EPERM. Grouped by reason. */
    static final List<String> DENIED = List.of(
            // changing the file system view: mounts and their new API
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "move_mount",
            "open_tree",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
            // reaching other processes' memory (there are none outside the pid namespace, but no debugger either)
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "kcmp",
            "pidfd_getfd",
            // replacing or extending the kernel
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "bpf",
            // large, often-exploited kernel surfaces an untrusted task does not need
            "perf_event_open",
            "userfaultfd",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "keyctl",
            "add_key",
            "request_key",
            "open_by_handle_at",
            "name_to_handle_at",
            "lookup_dcookie",
            "fanotify_init",
            "quotactl",
            "quotactl_fd",
            "nfsservctl",
            "uselib",
            "personality",
            "modify_ldt",
            // joining other namespaces
            "setns",
            // host-wide state
            "reboot",
            "swapon",
            "swapoff",
            "syslog",
            "acct",
            "settimeofday",
            "clock_settime",
            "clock_adjtime",
            "adjtimex",
            "sethostname",
            "setdomainname",
            "iopl",
            "ioperm",
            "vhangup");

    /** The socket families a task needs: its own loopback and its network namespace's routes and addresses. */
    static final List<Integer> ALLOWED_FAMILIES = List.of(AF_UNIX, AF_INET, AF_INET6, AF_NETLINK);

    /**
     * One rule: {@code syscall} fails with {@code errno} when every comparison holds. Plain data, so that naming
     * the cached program touches no native code (the JVM links C in the background meanwhile).
     */
    record Rule(String syscall, int errno, List<Seccomp.Cmp> when) {
        /** Every field, spelled out: a record's own toString is bootstrapped through invokedynamic, slow at start. */
        void describe(StringBuilder key) {
            key.append(syscall).append(':').append(errno);
            for (Seccomp.Cmp c : when) {
                key.append(',')
                        .append(c.arg())
                        .append(c.op().name())
                        .append(c.a())
                        .append('/')
                        .append(c.b());
            }
            key.append(';');
        }
    }

    private SeccompPolicy() {}

    /** Every rule of the filter, in order. The cached program's name is a hash of this list. */
    static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (String call : DENIED) {
            rules.add(new Rule(call, EPERM, List.of()));
        }
        // New user namespaces would hand the task a fresh set of capabilities to probe the kernel with.
        for (String call : List.of("unshare", "clone")) {
            rules.add(new Rule(call, EPERM, List.of(Seccomp.Cmp.maskedEquals(0, CLONE_NEWUSER, CLONE_NEWUSER))));
        }
        // clone3 passes its flags in memory that seccomp cannot read: make libc fall back to clone.
        rules.add(new Rule("clone3", ENOSYS, List.of()));
        // Faking keyboard input into a terminal, and the Linux console's privileged requests.
        for (long request : List.of(TIOCSTI, TIOCLINUX)) {
            rules.add(new Rule("ioctl", EPERM, List.of(Seccomp.Cmp.equals(1, request))));
        }
        rules.addAll(socketRules());
        rules.addAll(setIdRules());
        return rules;
    }

    /**
     * A cell may act as its caller, root included, on a --rw folder. The view is mounted nosuid, but a file keeps its
     * mode on disk and is set-uid wherever else its file system is mounted, at its real path for one: so no call
     * that sets a mode may set S_ISUID or S_ISGID. The mode is an argument of each (its index below, x86-64 and
     * aarch64 alike); open and openat read it only when they create (O_CREAT, O_TMPFILE), and otherwise it may be
     * anything, so those are refused only then. openat2 passes its mode in memory that seccomp cannot read: ENOSYS,
     * and libc falls back to openat. Calls this architecture lacks (open, chmod… on aarch64) are skipped.
     */
    private static List<Rule> setIdRules() {
        List<Rule> rules = new ArrayList<>();
        String[][] modeArgs = {
            {"chmod", "1"},
            {"fchmod", "1"},
            {"fchmodat", "2"},
            {"fchmodat2", "2"},
            {"creat", "1"},
            {"mkdir", "1"},
            {"mkdirat", "2"},
            {"mknod", "1"},
            {"mknodat", "2"}
        };
        for (String[] call : modeArgs) {
            for (long bit : new long[] {S_ISUID, S_ISGID}) {
                rules.add(new Rule(
                        call[0], EPERM, List.of(Seccomp.Cmp.maskedEquals(Integer.parseInt(call[1]), bit, bit))));
            }
        }
        String[][] openArgs = {{"open", "1", "2"}, {"openat", "2", "3"}};
        for (String[] call : openArgs) {
            int flags = Integer.parseInt(call[1]), mode = Integer.parseInt(call[2]);
            for (long creating : new long[] {O_CREAT, O_TMPFILE}) {
                for (long bit : new long[] {S_ISUID, S_ISGID}) {
                    rules.add(new Rule(
                            call[0],
                            EPERM,
                            List.of(
                                    Seccomp.Cmp.maskedEquals(flags, creating, creating),
                                    Seccomp.Cmp.maskedEquals(mode, bit, bit))));
                }
            }
        }
        rules.add(new Rule("openat2", ENOSYS, List.of()));
        return rules;
    }

    /**
     * The network namespace covers only some socket families: vsock shares its ports with the host and its
     * hypervisor, and the kernel loads the module of almost any other family on first use. Everything but
     * {@link #ALLOWED_FAMILIES} is refused, and netlink only for NETLINK_ROUTE. The kernel takes ints, the filter
     * sees 64 bits: "greater than AF_NETLINK" and "protocol not 0" also refuse every value with upper bits set,
     * which the kernel would have cut to an allowed-looking one. libseccomp takes one comparison per argument in a
     * rule, hence one rule per refused small family.
     */
    private static List<Rule> socketRules() {
        List<Rule> rules = new ArrayList<>();
        for (String call : List.of("socket", "socketpair")) {
            for (int family = 0; family < AF_NETLINK; family++) {
                if (!ALLOWED_FAMILIES.contains(family)) {
                    rules.add(new Rule(call, EPERM, List.of(Seccomp.Cmp.equals(0, family))));
                }
            }
            rules.add(new Rule(call, EPERM, List.of(Seccomp.Cmp.greater(0, AF_NETLINK))));
            rules.add(new Rule(
                    call, EPERM, List.of(Seccomp.Cmp.equals(0, AF_NETLINK), Seccomp.Cmp.notEquals(2, NETLINK_ROUTE))));
            // AF_INET with the obsolete SOCK_PACKET type is a packet socket in disguise (the kernel masks the type).
            rules.add(new Rule(
                    call,
                    EPERM,
                    List.of(Seccomp.Cmp.equals(0, AF_INET), Seccomp.Cmp.maskedEquals(1, SOCK_TYPE_MASK, SOCK_PACKET))));
        }
        return rules;
    }

    /**
     * The compiled program for this policy, from {@code cacheDir} when an earlier start compiled the same rules
     * (the file name is a hash of them), else compiled now and cached. Compiling costs a few ms per start.
     */
    static Path program(Path cacheDir) {
        StringBuilder rules = new StringBuilder(System.getProperty("os.arch")).append('|');
        rules().forEach(r -> r.describe(rules));
        String key = Integer.toHexString(rules.toString().hashCode());
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
            for (Rule r : rules()) {
                f.denyWhen(r.syscall(), Seccomp.errno(r.errno()), r.when().toArray(Seccomp.Cmp[]::new));
            }
            int fd = Libc.openWrite(path, false);
            try {
                f.exportBpf(fd);
            } finally {
                Libc.close(fd);
            }
        }
    }
}
