package io.isola.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

/**
 * The kernel's EPERM on opening a file that permissions let the caller read: what {@code isola guard} answers a host
 * program that opens an untrusted file. Isola run without root (or on another JDK than the guard's) is such a host
 * program by design (docs/guard.md), so it says so and how to run instead of failing with a bare EPERM.
 */
public final class GuardRefusal {
    private GuardRefusal() {}

    /** Whether {@code e} is an open refused with EPERM (EACCES, a permission problem, is not). */
    public static boolean is(IOException e) {
        return e instanceof FileSystemException f
                && !(e instanceof AccessDeniedException)
                && "Operation not permitted".equals(f.getReason());
    }

    /** One line for {@code file}: who refused it, why Isola is refused too, and {@code rerun}, what to run instead. */
    public static IsolaException explain(String file, String rerun) {
        return new IsolaException(
                "the kernel refused to open " + file + " (Operation not permitted): isola guard keeps "
                        + "untrusted files closed to host programs, and Isola run without root (or on another JDK than the "
                        + "guard's) is one of them: " + rerun + " (docs/guard.md)");
    }
}
