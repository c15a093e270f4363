package io.isola.guest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C calls the agent needs besides Entropy's: the mirror's two and the kill of everything. The agent only
 * interprets (see isola-vm's GuestInit): comparing a screen of megabytes in Java would take tens of milliseconds per
 * look, {@code memcmp} takes one call.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MEMCMP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("memcmp").orElseThrow(),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.critical(false));
    private static final MethodHandle MOUNT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS));

    private static final MethodHandle KILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Native() {}

    /**
     * SIGKILLs every process of the guest but init and this one: kill(-1). A task's processes that left its tree
     * (daemons, xclip serving a selection) still hold its output open, and the task has not ended until they are gone.
     */
    static void killAllOthers() {
        try {
            int ignored = (int) KILL.invokeExact(-1, 9); // -1 (ESRCH) when nothing else runs: nothing to kill
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Links the calls now, in the golden VM, so that every clone inherits them linked (see Entropy). */
    static void link() {
        // the static initialiser did it
    }

    /** Whether {@code n} bytes at {@code a} and {@code b} (native memory) are the same. */
    static boolean same(MemorySegment a, MemorySegment b, long n) {
        try {
            return (int) MEMCMP.invokeExact(a, b, n) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Mounts a tmpfs at {@code dir} with {@code options}; false when the kernel refuses. */
    static boolean mountTmpfs(String dir, String options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fs = a.allocateFrom("tmpfs");
            return (int) MOUNT.invokeExact(fs, a.allocateFrom(dir), fs, 0L, a.allocateFrom(options)) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
