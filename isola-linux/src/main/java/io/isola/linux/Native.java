package io.isola.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one place that links to C.
 *
 * <p>Every call but one (a read into a Java array, {@link #preadInto}) goes through a single downcall handle of shape
 * {@code long f(long × 6)} whose target address is a parameter. The JDK spends about 7 ms generating the stub for
 * each distinct function shape (and ~80 ms on the first), which on a command-line start is most of the time budget;
 * one shape pays that once. This is sound on the
 * 64-bit System V ABIs Isola supports (x86-64, aarch64): integer and pointer arguments all travel in 64-bit
 * registers, a callee ignores registers beyond its arity and the upper half of an int argument, and an int result
 * is the low half of the register. Only integer and pointer arguments (never float, struct by value or varargs)
 * may be passed this way. The typed wrappers in {@link Libc}, {@link Spawn} and {@link Seccomp} keep that detail
 * out of the rest of Isola.
 *
 * <p>errno is captured in the same downcall, because the JVM may run code that clobbers it between two calls.
 */
public final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle CALL = LINKER.downcallHandle(
            FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG), Linker.Option.captureCallState("errno"));

    private Native() {}

    /** Makes the stub of {@link #preadInto} now, for a process that will read screens later. */
    static void linkArrayRead() {
        ArrayRead.PREAD.type();
    }

    /**
     * pread(2) at {@code offset} into {@code into}, a segment of a Java array, at most its size; a failure throws as
     * checked calls do.
     */
    static long preadInto(int fd, MemorySegment into, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            while (true) {
                long rc = (long) ArrayRead.PREAD.invokeExact(err, fd, into, into.byteSize(), offset);
                if (rc >= 0) {
                    return rc;
                }
                if (errno(err) != Libc.EINTR) {
                    throw new LinuxException("pread", errno(err));
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The address of a libc function. */
    static MemorySegment fn(String name) {
        return fn(LIBC, name);
    }

    static MemorySegment fn(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no C function " + name));
    }

    /** Calls {@code fn} with up to six integer or pointer arguments; errno lands in {@code err}. */
    static long call(MemorySegment fn, MemorySegment err, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) CALL.invokeExact(fn, err, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long call(MemorySegment fn, MemorySegment err, long a, long b, long c) {
        return call(fn, err, a, b, c, 0, 0, 0);
    }

    /** Calls a function that reports failure as -1 and errno, and throws {@link LinuxException} then. */
    static long checked(String what, MemorySegment fn, long a, long b, long c, long d, long e) {
        return checked(what, fn, a, b, c, d, e, 0);
    }

    static long checked(String what, MemorySegment fn, long a, long b, long c, long d, long e, long f) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = arena.allocate(CAPTURE);
            while (true) {
                long rc = call(fn, err, a, b, c, d, e, f);
                if (rc == -1 || (int) rc == -1) {
                    int errno = errno(err);
                    if (errno == Libc.EINTR) {
                        continue;
                    }
                    throw new LinuxException(what, errno);
                }
                return rc;
            }
        }
    }

    static long checked(String what, MemorySegment fn, long a, long b, long c) {
        return checked(what, fn, a, b, c, 0, 0);
    }

    static MemorySegment errnoBuffer(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** A C string valid while {@code arena} is open, as an address argument. */
    static long str(Arena arena, String s) {
        return s == null ? 0 : arena.allocateFrom(s).address();
    }

    /**
     * A NULL-terminated array of C strings (an argv or envp) in one allocation, filled by two bulk copies. Building it
     * string by string through {@code allocateFrom} and an address VarHandle cost ~7 ms for bwrap's ~45 arguments
     * in the interpreting JVM of a command line, on the path to its first cell.
     */
    static long strArray(Arena arena, List<String> strings) {
        int n = strings.size();
        byte[][] bytes = new byte[n][];
        int total = 0;
        for (int i = 0; i < n; i++) {
            bytes[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
            total += bytes[i].length + 1;
        }
        long pointers = (n + 1) * 8L;
        MemorySegment block = arena.allocate(pointers + total, 8);
        long base = block.address();
        byte[] text = new byte[total];
        long[] addresses = new long[n + 1];
        int at = 0;
        for (int i = 0; i < n; i++) {
            byte[] b = bytes[i];
            for (byte c : b) {
                if (c == 0) {
                    throw new IllegalArgumentException("a C string cannot hold a NUL character: " + strings.get(i));
                }
            }
            addresses[i] = base + pointers + at;
            System.arraycopy(b, 0, text, at, b.length);
            at += b.length + 1; // the array is zeroed: the terminator is there already
        }
        MemorySegment.copy(addresses, 0, block, ValueLayout.JAVA_LONG, 0, n + 1);
        MemorySegment.copy(text, 0, block, ValueLayout.JAVA_BYTE, pointers, total);
        return base;
    }

    static String strerror(int errno) {
        try (Arena a = Arena.ofConfined()) {
            long p = call(fn("strerror"), errnoBuffer(a), errno, 0, 0);
            return MemorySegment.ofAddress(p).reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (RuntimeException e) {
            return "errno " + errno;
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /**
     * The one other shape: pread(2) into a Java array. A window's reader takes a cell's whole screen (6.4 MB) every
     * few ms; through a native buffer it paid a copy per read, and on its first read the kernel's first touch of the
     * buffer (20-30 ms here, on the path to the window's first frame). Critical, so that the array is passed as it
     * is: the collector waits for the call, which only ever reads a regular file of Isola's own tmpfs (FrameFile).
     * In a class of its own, so that only a process that shows a window pays for its stub.
     */
    private static final class ArrayRead {
        static final MethodHandle PREAD = LINKER.downcallHandle(
                fn("pread"),
                FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG),
                Linker.Option.critical(true),
                Linker.Option.captureCallState("errno"));
    }
}
