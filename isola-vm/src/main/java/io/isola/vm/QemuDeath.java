package io.isola.vm;

/** Words for how a QEMU process ended: its exit status or the signal that killed it, and its last output. */
final class QemuDeath {
    private QemuDeath() {}

    /**
     * @param waitStatus the raw status waitpid(2) gave, or -1 when QEMU was not reaped (yet)
     * @param lastLines the last lines it and the guest console wrote, possibly empty
     */
    static String describe(int waitStatus, String lastLines) {
        return how(waitStatus) + "; " + console(lastLines);
    }

    /** What QEMU and the guest console said last, or that they said nothing: never an empty "()". */
    static String console(String lastLines) {
        return lastLines.isBlank() ? "its console wrote nothing" : "its console's last lines: " + lastLines;
    }

    private static String how(int status) {
        if (status == -1) {
            return "QEMU ended (its exit status is unknown)";
        }
        int signal = status & 0x7f;
        if (signal == 0) {
            return "QEMU exited with status " + ((status >> 8) & 0xff);
        }
        String why = switch (signal) {
            case 9 -> ", from another process or the kernel's out-of-memory killer";
            case 31 -> ", from QEMU's own seccomp sandbox: it made a system call -sandbox on forbids";
            default -> "";
        };
        return "QEMU was killed by signal " + signal + " (" + signalName(signal) + why + ")"
                + ((status & 0x80) != 0 ? " and dumped core" : "");
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            case 31 -> "SIGSYS";
            default -> "signal " + signal;
        };
    }
}
