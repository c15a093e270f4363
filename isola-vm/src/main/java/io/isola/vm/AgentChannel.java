package io.isola.vm;

import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.TerminalText;
import io.isola.core.output.Harvester;
import io.isola.guest.AgentError;
import io.isola.guest.CellPath;
import io.isola.guest.Entry;
import io.isola.guest.Exit;
import io.isola.guest.HarvestRequest;
import io.isola.guest.MirrorData;
import io.isola.guest.MirrorGone;
import io.isola.guest.MirrorRequest;
import io.isola.guest.RunRequest;
import io.isola.guest.Wire;
import io.isola.guest.Wire.Frame;
import io.isola.guest.Wire.ProtocolException;
import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * The host's end of the agent channel. Everything the guest sends is hostile: frames are bounded by
 * {@link Wire#MAX_PAYLOAD} before they are read, unknown or out-of-place frames end the channel, paths are checked
 * for length, characters and climbing before the {@link Harvester} sees them, and a harvest is bounded in entries
 * and bytes whatever the guest announces.
 */
final class AgentChannel implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The agent reports at most one error per task (its command could not start); a few spare. */
    static final int MAX_ERRORS = 4;

    private final int fd;
    private final DataInputStream in;
    private final OutputStream out;

    /** Over one end of a socket pair (the other is QEMU's virtio-serial chardev). */
    AgentChannel(int fd) {
        this(fd, FdStreams.in(fd), FdStreams.out(fd));
    }

    /** Over any stream pair; the fd (or -1) is only used to wake a blocked reader on close. */
    AgentChannel(int fd, InputStream in, OutputStream out) {
        this.fd = fd;
        this.in = new DataInputStream(new BufferedInputStream(in, 128 << 10));
        this.out = new java.io.BufferedOutputStream(out, 128 << 10);
    }

    /** Sends fresh randomness and waits for the agent to answer READY. */
    void hello() throws IOException {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        send(Wire.HELLO, seed);
        Frame f = next();
        if (f.type() != Wire.READY) {
            throw new ProtocolException("expected READY, got frame type " + f.type());
        }
    }

    void mkdir(String cellPath) throws IOException {
        send(Wire.MKDIR, new CellPath(cellPath).encode());
    }

    void file(String cellPath, InputStream content) throws IOException {
        send(Wire.FILE, new CellPath(cellPath).encode());
        byte[] buf = new byte[Wire.MAX_PAYLOAD];
        int n;
        while ((n = content.readNBytes(buf, 0, buf.length)) > 0) {
            sendPart(Wire.DATA, buf, n);
        }
        send(Wire.DATA_END, new byte[0]);
    }

    void run(List<String> argv, Map<String, String> env, String workdir) throws IOException {
        run(argv, env, workdir, false);
    }

    /** @param proxy whether the agent listens on the task's proxy address before it starts the task */
    void run(List<String> argv, Map<String, String> env, String workdir, boolean proxy) throws IOException {
        send(Wire.RUN, new RunRequest(argv, env, workdir, proxy).encode());
    }

    /** Asks the guest to mirror its folder {@code cellPath} into {@code to} while the task runs (before RUN). */
    void mirror(String cellPath, FolderMirror to) throws IOException {
        send(
                Wire.MIRROR,
                new MirrorRequest(cellPath, to.capacityBytes(), (int) Math.min(Integer.MAX_VALUE, to.capacityNames()))
                        .encode());
    }

    void stdin(byte[] data, int len) throws IOException {
        sendPart(Wire.STDIN, data, len);
    }

    /** Asks the agent to kill the task and every process of the guest; the task's EXIT follows. */
    void kill() throws IOException {
        send(Wire.KILL, new byte[0]);
    }

    void stdinEof() throws IOException {
        send(Wire.STDIN_EOF, new byte[0]);
    }

    /** Where the task's streams go while it runs. */
    interface TaskOutput {
        void stdout(byte[] data) throws IOException;

        void stderr(byte[] data) throws IOException;

        /** An error the agent reported (e.g. the command does not exist), already made printable. */
        void agentError(String message);
    }

    /** Relays the task's output until it exits; returns its exit code (0-255, or 128+signal). */
    int relay(TaskOutput to) throws IOException {
        return relay(to, null);
    }

    /**
     * The same, with the guest's changes of the folder it was asked to mirror written to {@code mirror} (or, when
     * null, refused as frames out of place).
     */
    int relay(TaskOutput to, FolderMirror mirror) throws IOException {
        int errors = 0;
        while (true) {
            Frame f = next();
            if ((f.type() == Wire.STDOUT || f.type() == Wire.STDERR) && f.payload().length == 0) {
                // costs the host a wake-up and moves nothing: the only purpose of a stream of them is a flood
                throw new ProtocolException("an empty output frame");
            }
            switch (f.type()) {
                case Wire.STDOUT -> to.stdout(f.payload());
                case Wire.STDERR -> to.stderr(f.payload());
                case Wire.ERROR -> {
                    if (++errors > MAX_ERRORS) {
                        throw new ProtocolException("more than " + MAX_ERRORS + " agent errors: a flood");
                    }
                    to.agentError(
                            TerminalText.printable(AgentError.decode(f.reader()).message()));
                }
                case Wire.EXIT -> {
                    return Exit.decode(f.reader()).code();
                }
                case Wire.MIRROR_DATA -> mirroring(mirror, f).data(MirrorData.decode(f.reader()));
                case Wire.MIRROR_GONE -> mirroring(mirror, f).gone(MirrorGone.decode(f.reader()));
                case Wire.MIRROR_ROUND -> {
                    mirroring(mirror, f).round();
                    send(Wire.MIRROR_ACK, new byte[0]);
                }
                default -> throw new ProtocolException("unexpected frame type " + f.type() + " while the task runs");
            }
        }
    }

    private static FolderMirror mirroring(FolderMirror mirror, Frame f) throws ProtocolException {
        if (mirror == null) {
            throw new ProtocolException("a mirror frame (type " + f.type() + ") when no folder is mirrored");
        }
        return mirror;
    }

    /**
     * Asks for what the task left and feeds it to {@code h}. At most {@code quota.maxFiles() * 2 + 64} entries
     * (directories and refused entries count) and {@code quota.maxBytes()} bytes of contents are accepted; past
     * either the guest is flooding and the channel ends.
     */
    Harvest harvest(String outputDir, List<String> inputDirs, Harvester h, OutputQuota quota) throws IOException {
        send(Wire.HARVEST, new HarvestRequest(outputDir == null ? "" : outputDir, inputDirs).encode());
        long maxEntries = quota.maxFiles() * 2L + 64;
        long entries = 0;
        long[] bytesLeft = {quota.maxBytes()};
        List<String> refusedDirs = new java.util.ArrayList<>();
        while (true) {
            Frame f = next();
            if (f.type() == Wire.HARVEST_END) {
                return h.finish();
            }
            if (f.type() != Wire.ENTRY) {
                throw new ProtocolException("unexpected frame type " + f.type() + " during the harvest");
            }
            if (++entries > maxEntries) {
                throw new ProtocolException("the guest sent more than " + maxEntries + " entries: a flood");
            }
            Entry e = Entry.decode(f.reader());
            String path = GuestPaths.relative(e.path());
            Harvest.Kind k = kind(e.kind());
            String input = k == Harvest.Kind.CHANGED_INPUT ? GuestPaths.absolute(e.input(), inputDirs) : null;
            Harvester.EntryType t = type(e.type());
            String key = input == null ? "C:" + path : "I:" + input;
            boolean skipped = refusedDirs.stream().anyMatch(d -> key.startsWith(d + "/"));
            if (t == Harvester.EntryType.DIRECTORY) {
                if (skipped || !h.enter(path)) {
                    refusedDirs.add(key);
                }
                continue;
            }
            if (t != Harvester.EntryType.FILE) {
                if (!skipped) {
                    h.offer(path, t, e.mode(), 1, InputStream.nullInputStream(), k, input);
                }
                continue;
            }
            if (e.size() > bytesLeft[0]) {
                throw new ProtocolException("the guest announced " + e.size() + " bytes, over the " + quota.maxBytes()
                        + " byte quota left");
            }
            Contents c = new Contents(e.size());
            if (!skipped) {
                h.offer(path, t, e.mode(), e.links(), e.size(), c, k, input);
            }
            c.drain();
            bytesLeft[0] -= e.size();
        }
    }

    /** The guest's entry kind by name, not position: the wire's codes and the host's enums may each change order. */
    static Harvest.Kind kind(Entry.Kind k) {
        return switch (k) {
            case CREATED -> Harvest.Kind.CREATED;
            case CHANGED_INPUT -> Harvest.Kind.CHANGED_INPUT;
        };
    }

    /** The guest's entry type by name, not position (see {@link #kind}). */
    static Harvester.EntryType type(Entry.Type t) {
        return switch (t) {
            case FILE -> Harvester.EntryType.FILE;
            case DIRECTORY -> Harvester.EntryType.DIRECTORY;
            case SYMLINK -> Harvester.EntryType.SYMLINK;
            case FIFO -> Harvester.EntryType.FIFO;
            case DEVICE -> Harvester.EntryType.DEVICE;
            case SOCKET -> Harvester.EntryType.SOCKET;
            case OTHER -> Harvester.EntryType.OTHER;
        };
    }

    /** A file's DATA frames as a stream of exactly the announced size; more is a protocol error, less is EOF. */
    private final class Contents extends InputStream {
        private long left;
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean ended;
        private ProtocolException broken;

        Contents(long size) {
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == chunk.length) {
                if (ended) {
                    return -1;
                }
                Frame f = next();
                if (f.type() == Wire.DATA_END) {
                    ended = true;
                    if (left != 0) {
                        throw new EOFException("the guest sent " + left + " bytes fewer than it announced");
                    }
                    return -1;
                }
                if (f.type() != Wire.DATA || f.payload().length > left) {
                    broken = new ProtocolException("file contents longer than announced, or an unexpected frame");
                    throw broken;
                }
                left -= f.payload().length;
                chunk = f.payload();
                pos = 0;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Reads to DATA_END whatever the Harvester left unread; rethrows a violation the Harvester swallowed. */
        void drain() throws IOException {
            if (broken != null) {
                throw broken;
            }
            byte[] buf = new byte[8192];
            try {
                while (read(buf, 0, buf.length) >= 0) {
                    // discard
                }
            } catch (EOFException e) {
                // already refused by the Harvester's copy (it saw the short read)
            }
        }
    }

    private Frame next() throws IOException {
        Frame f = Wire.read(in);
        if (f == null) {
            throw new EOFException("the guest agent closed the channel");
        }
        return f;
    }

    private void send(byte type, byte[] payload) throws IOException {
        sendPart(type, payload, payload.length);
    }

    private synchronized void sendPart(byte type, byte[] payload, int len) throws IOException {
        Wire.write(out, type, payload, 0, len);
        out.flush();
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Sockets.shutdown(fd);
            Libc.close(fd);
        }
    }
}
