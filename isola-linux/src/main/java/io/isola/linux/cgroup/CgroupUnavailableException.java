package io.isola.linux.cgroup;

/** Cgroups cannot be used here; the message says what to do. */
public final class CgroupUnavailableException extends RuntimeException {
    public CgroupUnavailableException(String message) {
        super(message);
    }
}
