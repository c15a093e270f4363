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
    /** struct scmp_arg_cmp { unsigned arg; enum op; u64 datum_a; u64 datum_b; } */
    private static final MemoryLayout ARG_CMP = MemoryLayout.structLayout(INT, INT, LONG, LONG);

    private static final class Lib {
        static final SymbolLookup LIB = SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
        static final MemorySegment INIT = Native.fn(LIB, "seccomp_init"),
                RELEASE = Native.fn(LIB, "seccomp_release"),
                RESOLVE = Native.fn(LIB, "seccomp_syscall_resolve_name"),
                RULE_ADD = Native.fn(LIB, "seccomp_rule_add_array"),
                EXPORT = Native.fn(LIB, "seccomp_export_bpf");
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
        return denyWhen(syscall, action);
    }

    /** Calls whose argument {@code arg} has any bit of {@code mask} set get {@code action}. */
    public boolean denyWhenFlagSet(String syscall, int action, int arg, long mask) {
        // One rule per bit: "arg & bit == bit" is true when that flag is set, whatever the other bits are.
        boolean any = false;
        for (long bit = Long.lowestOneBit(mask); bit != 0; mask &= ~bit, bit = Long.lowestOneBit(mask)) {
            any |= denyWhen(syscall, action, Cmp.maskedEquals(arg, bit, bit));
        }
        return any;
    }

    /** Calls whose argument {@code arg} equals {@code value} (all 64 bits) get {@code action}. */
    public boolean denyWhenEquals(String syscall, int action, int arg, long value) {
        return denyWhen(syscall, action, Cmp.equals(arg, value));
    }

    /**
     * Calls whose argument {@code arg}, as an unsigned 64-bit value, is greater than {@code value} get {@code action}.
     * Where the kernel takes an int, this also catches the values whose upper 32 bits are set (and negative ones).
     */
    public boolean denyWhenGreater(String syscall, int action, int arg, long value) {
        return denyWhen(syscall, action, Cmp.greater(arg, value));
    }

    /**
     * Calls for which every comparison holds get {@code action}; no comparison means every call. libseccomp may refuse
     * two comparisons of the same argument in one rule: add a rule for each instead (rules of one action are ORed).
     * Returns false when the syscall does not exist here.
     */
    public boolean denyWhen(String syscall, int action, Cmp... all) {
        int nr = resolve(syscall);
        if (nr < 0) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cmps = all.length == 0 ? MemorySegment.NULL : a.allocate(ARG_CMP, all.length);
            for (int i = 0; i < all.length; i++) {
                MemorySegment c = cmps.asSlice(i * ARG_CMP.byteSize(), ARG_CMP.byteSize());
                c.set(INT, 0, all[i].arg());
                c.set(INT, 4, all[i].op().code);
                c.set(LONG, 8, all[i].a());
                c.set(LONG, 16, all[i].b());
            }
            int rc = (int)
                    Native.call(Lib.RULE_ADD, Native.errnoBuffer(a), ctx, action, nr, all.length, cmps.address(), 0);
            if (rc < 0) {
                throw new LinuxException("seccomp_rule_add " + syscall, -rc);
            }
            return true;
        }
    }

    /** libseccomp's comparison operators (enum scmp_compare); all compare the argument as an unsigned 64-bit value. */
    public enum Op {
        NOT_EQUAL(1),
        LESS(2),
        LESS_OR_EQUAL(3),
        EQUAL(4),
        GREATER_OR_EQUAL(5),
        GREATER(6),
        MASKED_EQUAL(7);

        final int code;

        Op(int code) {
            this.code = code;
        }
    }

    /**
     * One comparison of a system call's argument {@code arg} (0-5): struct scmp_arg_cmp. {@code a} is the value
     * compared with, except for {@link Op#MASKED_EQUAL}, where it is the mask and {@code b} the value.
     */
    public record Cmp(int arg, Op op, long a, long b) {
        public static Cmp equals(int arg, long value) {
            return new Cmp(arg, Op.EQUAL, value, 0);
        }

        public static Cmp notEquals(int arg, long value) {
            return new Cmp(arg, Op.NOT_EQUAL, value, 0);
        }

        public static Cmp greater(int arg, long value) {
            return new Cmp(arg, Op.GREATER, value, 0);
        }

        /** True when {@code arg & mask == value}. */
        public static Cmp maskedEquals(int arg, long mask, long value) {
            return new Cmp(arg, Op.MASKED_EQUAL, mask, value);
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
