package io.isola.linux;

/** A failed system call, with the errno and its meaning (the message is meant to be shown to a user). */
public final class LinuxException extends RuntimeException {
    private final int errno;

    public LinuxException(String call, int errno) {
        super(call + ": " + Native.strerror(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
