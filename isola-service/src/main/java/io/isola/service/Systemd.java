package io.isola.service;

import io.isola.linux.UnixSockets;
import java.util.Map;

/** The two things a service tells or takes from systemd, without libsystemd: socket activation and readiness. */
final class Systemd {
    /** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
    static final int FIRST_FD = 3;

    private Systemd() {}

    /** The listening socket systemd handed over ({@code isola.socket}), or -1 when started otherwise. */
    static int listeningSocket(Map<String, String> env) {
        String pid = env.get("LISTEN_PID"), fds = env.get("LISTEN_FDS");
        if (pid == null
                || fds == null
                || !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            return -1;
        }
        try {
            if (Integer.parseInt(fds) < 1) {
                return -1;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        // systemd passes it inheritable: a cell that inherited the listening socket could answer in our name
        io.isola.linux.Libc.setCloexec(FIRST_FD);
        return FIRST_FD;
    }

    /** sd_notify: "READY=1", "STOPPING=1"…; nothing when systemd did not ask (no NOTIFY_SOCKET). */
    static void notify(Map<String, String> env, String state) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket != null && !socket.isEmpty()) {
            UnixSockets.datagram(socket, state);
        }
    }
}
