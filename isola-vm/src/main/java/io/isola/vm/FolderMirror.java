package io.isola.vm;

import io.isola.guest.MirrorData;
import io.isola.guest.MirrorGone;
import io.isola.guest.Wire.ProtocolException;
import io.isola.linux.DetachedTmpfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * The host's side of a folder the guest mirrors: a folder of Isola's own (a window's screen folder, a tmpfs held by a
 * descriptor) that the sandbox engine would show to the cell, and that in a VM only the host writes, from what the
 * guest agent sends (isola-guest's {@code Mirror}). So nothing in it is the guest's but bytes: no links, no FIFOs,
 * only the names, sizes and offsets this class let through.
 *
 * <p>Everything the guest sends is hostile. A name is a short plain name; a file is at most the folder's size and is
 * sent whole (fresh) before it may be changed in place, and always with the size it was sent with; the folder's own
 * size bounds what all files hold together (the write past it fails, and that ends the cell's channel). A new file
 * is built aside and put in place whole when its round ends, so a reader never sees half of one; a file already
 * shown that is sent whole again is rewritten in place, as the guest rewrote it. Rounds are acked no
 * faster than one per {@link #MIN_ROUND_NANOS}: a guest that rewrites its screen without pause is slowed, and the
 * host's window samples the folder at its own pace anyway.
 */
final class FolderMirror implements AutoCloseable {
    /** The shortest time between two acked rounds (at most 125 rounds a second). */
    static final long MIN_ROUND_NANOS = 8_000_000;

    private static final String ASIDE = ".isola-fresh-";

    private final Path folder;
    private final long capacity;
    private final long maxNames;
    private final Map<String, Sized> inPlace = new HashMap<>();
    private final Map<String, Sized> fresh = new HashMap<>();
    private long lastRound = System.nanoTime() - MIN_ROUND_NANOS;

    /** A file's channel and the size the guest gave it; {@code aside}: built under a hidden name this round. */
    private record Sized(FileChannel channel, long size, boolean aside) {}

    /** @param fd the folder's descriptor, owned by the caller */
    FolderMirror(int fd) {
        this.folder = Path.of(DetachedTmpfs.path(fd));
        DetachedTmpfs.Capacity c = DetachedTmpfs.capacity(fd);
        this.capacity = c.bytes();
        this.maxNames = c.inodes();
    }

    /** What the guest must make on its side: a tmpfs as large as this folder. */
    long capacityBytes() {
        return capacity;
    }

    long capacityNames() {
        return maxNames;
    }

    void data(MirrorData d) throws ProtocolException {
        String name = checkedName(d.name());
        if (d.size() > capacity) {
            throw new ProtocolException("a mirrored file of " + d.size() + " bytes, in a folder of " + capacity);
        }
        try {
            Sized f = d.fresh() ? fresh(name, d.size()) : inPlace.get(name);
            if (f == null) {
                throw new ProtocolException("changes to the mirrored file " + name + ", never sent whole");
            }
            if (d.size() != f.size()) {
                throw new ProtocolException("the mirrored file " + name + " changed its size within a round");
            }
            ByteBuffer b = ByteBuffer.wrap(d.data());
            long at = d.offset();
            while (b.hasRemaining()) {
                at += f.channel().write(b, at);
            }
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException("the mirrored folder cannot take it (" + e.getMessage() + "): it holds "
                    + capacity + " bytes in all");
        }
    }

    /**
     * Where a file sent whole in this round goes. A file the host shows already (the screen) is rewritten in place,
     * at its new size, as the guest rewrote it: the window reads it by the descriptor it opened, and a truncation
     * must reach it as it would in the sandbox engine. Any other (new, or removed by its reader, as the clipboard
     * file is once read) is built aside and renamed into place when the round ends.
     */
    private Sized fresh(String name, long size) throws IOException {
        Sized f = fresh.get(name);
        if (f != null) {
            return f;
        }
        Sized shown = inPlace.get(name);
        if (shown != null && Files.exists(folder.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            shown.channel().truncate(size);
            f = new Sized(shown.channel(), size, false);
        } else {
            if (inPlace.size() + fresh.size() >= maxNames) {
                throw new ProtocolException("more mirrored files than the folder's " + maxNames + " names");
            }
            f = new Sized(create(folder.resolve(ASIDE + name)), size, true);
        }
        fresh.put(name, f);
        return f;
    }

    void gone(MirrorGone g) throws ProtocolException {
        String name = checkedName(g.name());
        Sized shown = inPlace.remove(name), sent = fresh.remove(name);
        close(shown);
        if (sent != null && (shown == null || sent.channel() != shown.channel())) {
            close(sent);
        }
        try {
            Files.deleteIfExists(folder.resolve(name));
            Files.deleteIfExists(folder.resolve(ASIDE + name));
        } catch (IOException e) {
            throw new ProtocolException("cannot remove the mirrored file " + name + ": " + e.getMessage());
        }
    }

    /** The round is in: its fresh files go in place, whole; returns no sooner than the pace allows the next. */
    void round() throws ProtocolException {
        for (Map.Entry<String, Sized> e : fresh.entrySet()) {
            String name = e.getKey();
            Sized f = e.getValue();
            try {
                if (f.channel().size() < f.size()) {
                    f.channel().write(ByteBuffer.allocate(1), f.size() - 1); // sent with holes: the size still holds
                }
                if (f.aside()) {
                    Files.move(
                            folder.resolve(ASIDE + name),
                            folder.resolve(name),
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ex) {
                throw new ProtocolException("cannot put the mirrored file " + name + " in place: " + ex.getMessage());
            }
            Sized was = inPlace.put(name, f);
            if (was != null && was.channel() != f.channel()) {
                close(was);
            }
        }
        fresh.clear();
        long wait = lastRound + MIN_ROUND_NANOS - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lastRound = System.nanoTime();
    }

    private static String checkedName(String name) throws ProtocolException {
        if (!MirrorData.mirrored(name)) {
            throw new ProtocolException("a mirrored file named \"" + io.isola.core.TerminalText.printable(name)
                    + "\": only short plain names are mirrored");
        }
        return name;
    }

    private static FileChannel create(Path p) throws IOException {
        return FileChannel.open(
                p,
                java.util.Set.of(
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS),
                // the person's own process reads it when the service runs the cell (docs/windows.md)
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    }

    private static void close(Sized f) {
        if (f != null) {
            try {
                f.channel().close();
            } catch (IOException e) {
                // a tmpfs file: nothing to flush
            }
        }
    }

    @Override
    public void close() {
        inPlace.values().forEach(FolderMirror::close);
        fresh.values().forEach(FolderMirror::close); // closing a channel twice does nothing
        inPlace.clear();
        fresh.clear();
    }
}
