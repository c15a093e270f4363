package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * posix_spawn(3) through FFM. ProcessBuilder cannot hand a child more than stdin/stdout/stderr, and bubblewrap takes
 * its seccomp program, its sync pipes and the user namespace as extra file descriptors. glibc's posix_spawn uses
 * CLONE_VFORK, so it is safe in a multi-threaded JVM, and the child starts in the calling thread's mount namespace.
 *
 * <p>Beware: a child started here is bound to the calling thread by PR_SET_PDEATHSIG (bwrap --die-with-parent), so
 * callers spawn from long-lived platform threads.
 */
public final class Spawn {
    private static final short SETSIGDEF = 0x04, SETSIGMASK = 0x08;
    private static final long ACTIONS_SIZE = 256, ATTR_SIZE = 512, SIGSET_SIZE = 128;
    private static final MemorySegment SPAWN = Native.fn("posix_spawn"),
            FA_INIT = Native.fn("posix_spawn_file_actions_init"),
            FA_DESTROY = Native.fn("posix_spawn_file_actions_destroy"),
            FA_DUP2 = Native.fn("posix_spawn_file_actions_adddup2"),
            FA_OPEN = Native.fn("posix_spawn_file_actions_addopen"),
            FA_CLOSE = Native.fn("posix_spawn_file_actions_addclose"),
            FA_CLOSEFROM = Native.fn("posix_spawn_file_actions_addclosefrom_np"),
            FA_CHDIR = Native.fn("posix_spawn_file_actions_addchdir_np"),
            ATTR_INIT = Native.fn("posix_spawnattr_init"),
            ATTR_DESTROY = Native.fn("posix_spawnattr_destroy"),
            ATTR_FLAGS = Native.fn("posix_spawnattr_setflags"),
            ATTR_SIGMASK = Native.fn("posix_spawnattr_setsigmask"),
            ATTR_SIGDEF = Native.fn("posix_spawnattr_setsigdefault"),
            SIGEMPTY = Native.fn("sigemptyset"),
            SIGFILL = Native.fn("sigfillset");

    private final List<String> argv;
    private final Map<String, String> env = new TreeMap<>();
    private final Map<Integer, Integer> fds = new TreeMap<>();
    private final Map<Integer, String> opens = new TreeMap<>();
    private String directory = "/";

    private Spawn(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = List.copyOf(argv);
    }

    public static Spawn of(List<String> argv) {
        return new Spawn(argv);
    }

    public Spawn env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The child gets {@code source} (a descriptor of this process) as descriptor {@code target}. */
    public Spawn fd(int target, int source) {
        fds.put(target, source);
        return this;
    }

    /** The child gets {@code path}, opened read-only and freshly, as descriptor {@code target}. */
    public Spawn openReadOnly(int target, String path) {
        opens.put(target, path);
        return this;
    }

    public Spawn directory(String dir) {
        this.directory = dir;
        return this;
    }

    /**
     * Starts the child and returns its pid. Descriptors 0-2 are inherited unless remapped; every other descriptor of
     * this process is closed in the child.
     */
    public int start() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Native.errnoBuffer(a);
            long actions = a.allocate(ACTIONS_SIZE, 16).address();
            long attr = a.allocate(ATTR_SIZE, 16).address();
            // posix_spawn* return an error number instead of setting errno.
            check("file_actions_init", Native.call(FA_INIT, err, actions, 0, 0));
            check("spawnattr_init", Native.call(ATTR_INIT, err, attr, 0, 0));
            try {
                int highest = 2;
                // Two steps through descriptors above every source and target, so that a source that is also
                // another mapping's target is never clobbered before it is copied.
                int base = 3
                        + fds.entrySet().stream()
                                .mapToInt(e -> Math.max(e.getKey(), e.getValue()))
                                .max()
                                .orElse(0);
                int i = 0;
                for (var e : fds.entrySet()) {
                    check("adddup2", Native.call(FA_DUP2, err, actions, e.getValue(), base + i++));
                }
                i = 0;
                for (var e : fds.entrySet()) {
                    check("adddup2", Native.call(FA_DUP2, err, actions, base + i++, e.getKey()));
                    highest = Math.max(highest, e.getKey());
                }
                for (var e : opens.entrySet()) {
                    check(
                            "addopen",
                            Native.call(
                                    FA_OPEN,
                                    err,
                                    actions,
                                    e.getKey(),
                                    Native.str(a, e.getValue()),
                                    0 /* O_RDONLY */,
                                    0,
                                    0));
                    highest = Math.max(highest, e.getKey());
                }
                // Nothing of this process leaks into the child: not the descriptors between the mapped ones either
                // (the JVM keeps some without close-on-exec), nor any above them.
                for (int fd = 3; fd < highest; fd++) {
                    if (!fds.containsKey(fd) && !opens.containsKey(fd)) {
                        check("addclose", Native.call(FA_CLOSE, err, actions, fd, 0));
                    }
                }
                check("addclosefrom", Native.call(FA_CLOSEFROM, err, actions, highest + 1, 0));
                check("addchdir", Native.call(FA_CHDIR, err, actions, Native.str(a, directory), 0));

                long empty = a.allocate(SIGSET_SIZE, 8).address();
                long all = a.allocate(SIGSET_SIZE, 8).address();
                check("sigemptyset", Native.call(SIGEMPTY, err, empty, 0, 0));
                check("sigfillset", Native.call(SIGFILL, err, all, 0, 0));
                // The JVM blocks and handles signals of its own; the child starts with none of that.
                check("setsigmask", Native.call(ATTR_SIGMASK, err, attr, empty, 0));
                check("setsigdefault", Native.call(ATTR_SIGDEF, err, attr, all, 0));
                check("setflags", Native.call(ATTR_FLAGS, err, attr, SETSIGDEF | SETSIGMASK, 0));

                MemorySegment pid = a.allocate(ValueLayout.JAVA_INT);
                int rc = (int) Native.call(
                        SPAWN,
                        err,
                        pid.address(),
                        Native.str(a, argv.get(0)),
                        actions,
                        attr,
                        Native.strArray(a, argv),
                        Native.strArray(a, envList()));
                if (rc != 0) {
                    throw new LinuxException("spawn " + argv.get(0), rc);
                }
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                Native.call(FA_DESTROY, err, actions, 0, 0);
                Native.call(ATTR_DESTROY, err, attr, 0, 0);
            }
        }
    }

    private List<String> envList() {
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    private static void check(String what, long rc) {
        if ((int) rc != 0) {
            throw new LinuxException("posix_spawn " + what, (int) rc);
        }
    }
}
