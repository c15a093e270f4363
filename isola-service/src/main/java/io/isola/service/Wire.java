package io.isola.service;

import io.isola.linux.Libc;
import io.isola.linux.UnixSockets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames over a connected Unix socket, with the descriptors that travel with a request: the service's, and the
 * session agent's door for terminals, which speaks the same framing.
 */
public final class Wire {
    /** A frame read, and the descriptors that came with it (the caller owns and closes them). */
    public record Frame(Message message, int[] fds) {
        public void closeFds() {
            for (int fd : fds) {
                Libc.close(fd);
            }
        }
    }

    /** The peer closed the connection before a whole frame arrived (or before any). */
    public static final class Closed extends Exception {
        Closed(String message) {
            super(message);
        }
    }

    private Wire() {}

    public static void send(int fd, Message m, int... fds) {
        UnixSockets.send(fd, m.encode(), fds);
    }

    /**
     * Reads one frame. Descriptors may arrive with any of its bytes; all of them are gathered and, when the frame
     * is refused, closed, so that a hostile client cannot make the daemon hold its descriptors.
     */
    public static Frame receive(int fd) throws Closed, Message.BadFrame {
        List<Integer> fds = new ArrayList<>();
        try {
            byte[] header = new byte[4];
            readFully(fd, header, fds, true);
            byte[] body = new byte[Message.length(header)];
            readFully(fd, body, fds, false);
            return new Frame(
                    Message.decode(body),
                    fds.stream().mapToInt(Integer::intValue).toArray());
        } catch (Closed | Message.BadFrame | RuntimeException e) {
            fds.forEach(Libc::close);
            throw e;
        }
    }

    private static void readFully(int fd, byte[] into, List<Integer> fds, boolean mayBeEmpty)
            throws Closed, Message.BadFrame {
        int off = 0;
        while (off < into.length) {
            UnixSockets.Received r = UnixSockets.receive(fd, into.length - off);
            for (int f : r.fds()) {
                fds.add(f);
            }
            if (fds.size() > UnixSockets.MAX_FDS) {
                throw new Message.BadFrame("more than " + UnixSockets.MAX_FDS + " descriptors were sent");
            }
            if (r.data().length == 0) {
                throw new Closed(off == 0 && mayBeEmpty ? "closed" : "the connection closed in the middle of a frame");
            }
            System.arraycopy(r.data(), 0, into, off, r.data().length);
            off += r.data().length;
        }
    }
}
