package io.isola.linux;

import static io.isola.linux.Native.INT;
import static io.isola.linux.Native.LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

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
        static final MemorySegment INIT = Native.fn(LIB, "seccomp_init"), RELEASE = Native.fn(LIB, "seccomp_release"),
                RESOLVE = Native.fn(LIB, "seccomp_syscall_resolve_name"),
                RULE_ADD = Native.fn(LIB, "seccomp_rule_add_array"), EXPORT = Native.fn(LIB, "seccomp_export_bpf");
    }

    private final long ctx;

    private Seccomp(long ctx) {
        this.ctx = ctx;
    }

    /** Is libseccomp installed? */
    public static boolean available() {
        try {
            return Lib.INIT.address() != 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** A filter that allows every system call not named by a rule. */
    public static Seccomp allowByDefault() {
        try (Arena a = Arena.ofConfined()) {
            long ctx = Native.call(Lib.INIT, Native.errnoBuffer(a), ACT_ALLOW, 0, 0);
            if (ctx == 0) {
                throw new IllegalStateException("seccomp_init failed");
            }
            return new Seccomp(ctx);
        }
    }

    public static int errno(int errno) {
        return ACT_ERRNO | (errno & 0xffff);
    }

    /** The syscall number on this architecture, or -1 when the architecture has no such call. */
    public static int resolve(String name) {
        try (Arena a = Arena.ofConfined()) {
            int nr = (int) Native.call(Lib.RESOLVE, Native.errnoBuffer(a), Native.str(a, name), 0, 0);
            return nr < 0 ? -1 : nr;
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
            long cmpAddress = 0;
            int count = 0;
            if (arg >= 0) {
                MemorySegment cmp = a.allocate(ARG_CMP);
                cmp.set(INT, 0, arg);
                cmp.set(INT, 4, CMP_MASKED_EQ);
                cmp.set(LONG, 8, mask);
                cmp.set(LONG, 16, value);
                cmpAddress = cmp.address();
                count = 1;
            }
            int rc = (int) Native.call(Lib.RULE_ADD, Native.errnoBuffer(a), ctx, action, nr, count, cmpAddress, 0);
            if (rc < 0) {
                throw new LinuxException("seccomp_rule_add " + syscall, -rc);
            }
            return true;
        }
    }

    /** Writes the compiled BPF program to an open descriptor. */
    public void exportBpf(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) Native.call(Lib.EXPORT, Native.errnoBuffer(a), ctx, fd, 0);
            if (rc < 0) {
                throw new LinuxException("seccomp_export_bpf", -rc);
            }
        }
    }

    @Override
    public void close() {
        try (Arena a = Arena.ofConfined()) {
            Native.call(Lib.RELEASE, Native.errnoBuffer(a), ctx, 0, 0);
        }
    }
}
