package io.isola.linux;

import static io.isola.linux.Native.INT;
import static io.isola.linux.Native.PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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

    private static final MethodHandle SPAWN = Native.plainCall("posix_spawn",
            FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
    private static final MethodHandle FA_INIT = Native.plainCall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle FA_DESTROY = Native.plainCall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle FA_DUP2 = Native.plainCall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(INT, PTR, INT, INT));
    private static final MethodHandle FA_OPEN = Native.plainCall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
    private static final MethodHandle FA_CLOSEFROM = Native.plainCall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle FA_CHDIR = Native.plainCall("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle ATTR_INIT = Native.plainCall("posix_spawnattr_init",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle ATTR_DESTROY = Native.plainCall("posix_spawnattr_destroy",
            FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle ATTR_FLAGS = Native.plainCall("posix_spawnattr_setflags",
            FunctionDescriptor.of(INT, PTR, ValueLayout.JAVA_SHORT));
    private static final MethodHandle ATTR_SIGMASK = Native.plainCall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle ATTR_SIGDEF = Native.plainCall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(INT, PTR, PTR));
    private static final MethodHandle SIGEMPTY = Native.plainCall("sigemptyset", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle SIGFILL = Native.plainCall("sigfillset", FunctionDescriptor.of(INT, PTR));

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
            MemorySegment actions = a.allocate(ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(ATTR_SIZE, 16);
            check("file_actions_init", (int) FA_INIT.invokeExact(actions));
            check("spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
            try {
                int highest = 2;
                // Two steps through descriptors above every source and target, so that a source that is also
                // another mapping's target is never clobbered before it is copied.
                int base = 3 + fds.entrySet().stream()
                        .mapToInt(e -> Math.max(e.getKey(), e.getValue())).max().orElse(0);
                int i = 0;
                for (var e : fds.entrySet()) {
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, (int) e.getValue(), base + i++));
                }
                i = 0;
                for (var e : fds.entrySet()) {
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, base + i++, (int) e.getKey()));
                    highest = Math.max(highest, e.getKey());
                }
                for (var e : opens.entrySet()) {
                    check("addopen", (int) FA_OPEN.invokeExact(actions, (int) e.getKey(),
                            a.allocateFrom(e.getValue()), 0 /* O_RDONLY */, 0));
                    highest = Math.max(highest, e.getKey());
                }
                check("addclosefrom", (int) FA_CLOSEFROM.invokeExact(actions, highest + 1));
                check("addchdir", (int) FA_CHDIR.invokeExact(actions, a.allocateFrom(directory)));

                MemorySegment empty = a.allocate(SIGSET_SIZE, 8);
                MemorySegment all = a.allocate(SIGSET_SIZE, 8);
                check("sigemptyset", (int) SIGEMPTY.invokeExact(empty));
                check("sigfillset", (int) SIGFILL.invokeExact(all));
                // The JVM blocks and handles signals of its own; the child starts with none of that.
                check("setsigmask", (int) ATTR_SIGMASK.invokeExact(attr, empty));
                check("setsigdefault", (int) ATTR_SIGDEF.invokeExact(attr, all));
                check("setflags", (int) ATTR_FLAGS.invokeExact(attr, (short) (SETSIGDEF | SETSIGMASK)));

                MemorySegment pid = a.allocate(INT);
                int rc = (int) SPAWN.invokeExact(pid, a.allocateFrom(argv.get(0)), actions, attr,
                        cStrings(a, argv), cStrings(a, envList()));
                if (rc != 0) {
                    throw new LinuxException("spawn " + argv.get(0), rc);
                }
                return pid.get(INT, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
                ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private List<String> envList() {
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment array = a.allocate(PTR, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(PTR, i, a.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(PTR, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String what, int rc) {
        if (rc != 0) {
            throw new LinuxException("posix_spawn " + what, rc);
        }
    }
}
