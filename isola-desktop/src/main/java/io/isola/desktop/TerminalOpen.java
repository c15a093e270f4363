package io.isola.desktop;

import io.isola.linux.Libc;
import io.isola.linux.ProcessEnds;
import io.isola.service.Message;
import io.isola.service.Protocol;
import io.isola.service.ServiceClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code isola open [--window] FILE|URL} typed in a terminal of the person's desktop session, served by the agent that
 * already runs there: the {@code isola} launcher (POSIX sh) hands it over instead of starting a JVM, and the window is
 * drawn by a desktop toolkit that is already up. Two ways in: the agent's own socket ({@link AgentSocket}), where the
 * launcher's small client sends the terminal's streams themselves; and the session bus, which starts the agent when
 * none runs, where the streams are taken again from the caller through {@code /proc} (the caller is the process the
 * bus names, and must be this person's). In every other way the task stays the terminal's: the exit code is the
 * reply, and the caller's end (Ctrl-C, a kill of the command) ends the cell as it does for the JVM client.
 */
final class TerminalOpen {
    /** The reply that says "not here": nothing was started, and the launcher runs the command in a JVM instead. */
    static final int NOT_HERE = -1;
    /**
     * Where the caller (the launcher's dbus-send) holds the terminal's stdin, stdout and stderr: its own 1 and 2 are
     * the pipe the launcher reads the reply from (see bin/isola).
     */
    static final int CALLER_IN = 0, CALLER_OUT = 3, CALLER_ERR = 4;

    private final DesktopOpen desktop;

    TerminalOpen(DesktopOpen desktop) {
        this.desktop = desktop;
    }

    /**
     * The bus's route ({@code dbus-send}): the caller's streams are taken again from it, and its end (and its
     * launcher's) is learnt from the kernel.
     *
     * @param display the terminal's DISPLAY: a window shows only where the person asked for it
     * @param callerPid the caller's pid as the bus knows it (SO_PEERCRED), never as the call says
     * @return the exit code as {@code isola open} returns it, or {@link #NOT_HERE}
     */
    int open(String target, boolean window, String display, long callerPid) {
        io.isola.core.Trace.mark("terminal request received");
        if (!forHere(display)) {
            return NOT_HERE;
        }
        ProcessHandle caller = ProcessHandle.of(callerPid).orElse(null);
        ProcessHandle launcher = caller == null ? null : caller.parent().orElse(null);
        int[] streams = callerStreams(callerPid);
        if (streams == null || launcher == null || !caller.isAlive()) {
            closeAll(streams); // a stream that cannot be taken again (a socket, a file), or a caller already gone
            return NOT_HERE;
        }
        // The caller is not a client of the service, so nothing closes on its death: the kernel says when it ends.
        ProcessEnds ends;
        try {
            ends = ProcessEnds.of(caller.pid(), launcher.pid());
        } catch (RuntimeException e) {
            closeAll(streams);
            return NOT_HERE;
        }
        try (ends) {
            return serve(target, window, streams, new CallerEnd() {
                @Override
                public boolean await() {
                    return ends.await();
                }

                @Override
                public void stop() {
                    ends.stop();
                }
            });
        } finally {
            closeAll(streams);
        }
    }

    /** Whether this agent draws for that DISPLAY: its own session's, where it can show windows. */
    boolean forHere(String display) {
        desktop.asked();
        return display.equals(desktop.env().get("DISPLAY")) && desktop.canShowWindows();
    }

    /** The end of whoever asked: Ctrl-C in the terminal, or a kill of the command. */
    interface CallerEnd {
        /** Blocks until the caller ended (true) or {@link #stop} was called (false). */
        boolean await();

        /** Wakes {@link #await}, from any thread. */
        void stop();
    }

    /**
     * Asks the service to open {@code target} with the terminal's {@code streams} (the caller keeps them), draws its
     * window here, and ends the cell when {@code end} says the caller ended.
     *
     * @return the exit code as {@code isola open} returns it, or {@link #NOT_HERE}
     */
    int serve(String target, boolean window, int[] streams, CallerEnd end) {
        String named;
        try {
            named = DesktopOpen.target(target);
        } catch (IllegalArgumentException e) {
            return NOT_HERE; // the command's own words for it
        }
        ServiceClient client = ServiceClient.connect(desktop.env());
        if (client == null) {
            return NOT_HERE; // the JVM client says so, or runs it in process, as it would without the agent
        }
        Message request =
                DesktopOpen.openRequest(named, false, window ? Protocol.WINDOW_REQUIRED : Protocol.WINDOW_IF_GRAPHICAL);
        PrintStream err = io.isola.linux.FdOutput.print(streams[2]); // Isola's own lines: why a window closed
        // stopped and joined before the connection closes, so its interrupt never goes to a closed one
        Thread watch = Thread.ofPlatform()
                .name("isola-terminal-watch")
                .daemon(true)
                .start(() -> {
                    if (end.await()) {
                        client.interrupt();
                    }
                });
        try (ServiceWindows windows = new ServiceWindows(client, err)) {
            Message reply = client.call(request, streams[0], streams[1], streams[2], windows);
            if (reply.get(Protocol.ERROR) != null) {
                err.println("isola: " + reply.get(Protocol.ERROR));
            }
            return ServiceClient.exitCode(reply, err);
        } finally {
            end.stop();
            joinQuietly(watch); // an interrupt of the caller's may be under way
            client.close();
        }
    }

    /**
     * The caller's stdin, stdout and stderr, opened again, or null when one cannot be: a regular file (a new open of
     * it would not share the shell's offset or its append mode), a socket (it cannot be opened by name), or a caller
     * not of this user (the kernel refuses).
     */
    private static int[] callerStreams(long pid) {
        int[] fds = {CALLER_IN, CALLER_OUT, CALLER_ERR};
        int[] open = new int[3];
        Arrays.fill(open, -1);
        try {
            for (int i = 0; i < 3; i++) {
                if (Files.isRegularFile(Path.of("/proc/" + pid + "/fd/" + fds[i]))) {
                    closeAll(open);
                    return null;
                }
                open[i] = Libc.openStreamOf(pid, fds[i], i > 0);
            }
            return open;
        } catch (RuntimeException e) {
            closeAll(open);
            return null;
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(int[] fds) {
        if (fds != null) {
            for (int fd : fds) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
        }
    }
}
