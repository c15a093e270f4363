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

/**
 * The one place that links to C. Every downcall that can fail captures errno in the same call, because the JVM may
 * run code that clobbers it between two downcalls.
 */
public final class Native {
    public static final Linker LINKER = Linker.nativeLinker();
    public static final SymbolLookup LIBC = LINKER.defaultLookup();
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    public static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(PTR, INT));

    private Native() {}

    /** A downcall whose first argument is the errno capture segment (see {@link #call}). */
    public static MethodHandle errnoCall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd,
                Linker.Option.captureCallState("errno"));
    }

    public static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return errnoCall(LIBC, name, fd);
    }

    public static MethodHandle plainCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd);
    }

    /** A fresh errno capture buffer; callers allocate it from the arena of the call. */
    public static MemorySegment errnoBuffer(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Throws {@link LinuxException} when a libc call returned -1. */
    public static int check(String call, int rc, MemorySegment capture) {
        if (rc == -1) {
            throw new LinuxException(call, errno(capture));
        }
        return rc;
    }

    public static long check(String call, long rc, MemorySegment capture) {
        if (rc == -1) {
            throw new LinuxException(call, errno(capture));
        }
        return rc;
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** Rethrows what a MethodHandle threw without wrapping runtime exceptions twice. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
