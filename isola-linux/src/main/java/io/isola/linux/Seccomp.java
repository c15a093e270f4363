package io.isola.linux;

import static io.isola.linux.Native.INT;
import static io.isola.linux.Native.LONG;
import static io.isola.linux.Native.PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libseccomp through FFM: builds a filter and exports it as a classic BPF program, which bubblewrap loads with
 * {@code --seccomp FD} right before it executes the task. Isola never loads a filter into its own JVM.
 */
public final class Seccomp implements AutoCloseable {
    public static final int ACT_ALLOW = 0x7fff0000;
    private static final int ACT_ERRNO = 0x00050000;
    private static final int CMP_MASKED_EQ = 7;
    /** struct scmp_arg_cmp { unsigned arg; enum op; u64 datum_a; u64 datum_b; } */
    private static final MemoryLayout ARG_CMP = MemoryLayout.structLayout(INT, INT, LONG, LONG);

    private static final class Lib {
        static final SymbolLookup LIB = SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
        static final MethodHandle INIT = Native.LINKER.downcallHandle(LIB.find("seccomp_init").orElseThrow(),
                FunctionDescriptor.of(PTR, INT));
        static final MethodHandle RELEASE = Native.LINKER.downcallHandle(LIB.find("seccomp_release").orElseThrow(),
                FunctionDescriptor.ofVoid(PTR));
        static final MethodHandle RESOLVE = Native.LINKER.downcallHandle(
                LIB.find("seccomp_syscall_resolve_name").orElseThrow(), FunctionDescriptor.of(INT, PTR));
        static final MethodHandle RULE_ADD = Native.LINKER.downcallHandle(
                LIB.find("seccomp_rule_add_array").orElseThrow(), FunctionDescriptor.of(INT, PTR, INT, INT, INT, PTR));
        static final MethodHandle EXPORT = Native.LINKER.downcallHandle(
                LIB.find("seccomp_export_bpf").orElseThrow(), FunctionDescriptor.of(INT, PTR, INT));
    }

    private final MemorySegment ctx;

    private Seccomp(MemorySegment ctx) {
        this.ctx = ctx;
    }

    /** Is libseccomp installed? */
    public static boolean available() {
        try {
            return Lib.INIT != null;
        } catch (Throwable e) {
            return false;
        }
    }

    /** A filter that allows every system call not named by a rule. */
    public static Seccomp allowByDefault() {
        try {
            MemorySegment ctx = (MemorySegment) Lib.INIT.invokeExact(ACT_ALLOW);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("seccomp_init failed");
            }
            return new Seccomp(ctx);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int errno(int errno) {
        return ACT_ERRNO | (errno & 0xffff);
    }

    /** The syscall number on this architecture, or -1 when the architecture has no such call. */
    public static int resolve(String name) {
        try (Arena a = Arena.ofConfined()) {
            int nr = (int) Lib.RESOLVE.invokeExact(a.allocateFrom(name));
            return nr < 0 ? -1 : nr;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Every call of {@code syscall} gets {@code action}. Returns false when the syscall does not exist here. */
    public boolean deny(String syscall, int action) {
        return add(syscall, action, -1, 0);
    }

    /** Calls whose argument {@code arg} has any bit of {@code mask} set get {@code action}. */
    public boolean denyWhenFlagSet(String syscall, int action, int arg, long mask) {
        return add(syscall, action, arg, mask);
    }

    /** Calls whose argument {@code arg} equals {@code value} get {@code action}. */
    public boolean denyWhenEquals(String syscall, int action, int arg, long value) {
        return addCmp(syscall, action, arg, -1L, value);
    }

    private boolean add(String syscall, int action, int arg, long mask) {
        if (arg < 0) {
            return addCmp(syscall, action, -1, 0, 0);
        }
        // One rule per bit: "arg & bit == bit" is true when that flag is set, whatever the other bits are.
        boolean any = false;
        for (long bit = Long.lowestOneBit(mask); bit != 0; mask &= ~bit, bit = Long.lowestOneBit(mask)) {
            any |= addCmp(syscall, action, arg, bit, bit);
        }
        return any;
    }

    private boolean addCmp(String syscall, int action, int arg, long mask, long value) {
        int nr = resolve(syscall);
        if (nr < 0) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cmp = MemorySegment.NULL;
            int count = 0;
            if (arg >= 0) {
                cmp = a.allocate(ARG_CMP);
                cmp.set(INT, 0, arg);
                cmp.set(INT, 4, CMP_MASKED_EQ);
                cmp.set(LONG, 8, mask);
                cmp.set(LONG, 16, value);
                count = 1;
            }
            int rc = (int) Lib.RULE_ADD.invokeExact(ctx, action, nr, count, cmp);
            if (rc < 0) {
                throw new LinuxException("seccomp_rule_add " + syscall, -rc);
            }
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Writes the compiled BPF program to an open descriptor. */
    public void exportBpf(int fd) {
        try {
            int rc = (int) Lib.EXPORT.invokeExact(ctx, fd);
            if (rc < 0) {
                throw new LinuxException("seccomp_export_bpf", -rc);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        try {
            Lib.RELEASE.invokeExact(ctx);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
