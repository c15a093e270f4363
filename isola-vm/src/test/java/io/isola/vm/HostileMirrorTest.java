package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.guest.Exit;
import io.isola.guest.MirrorData;
import io.isola.guest.MirrorGone;
import io.isola.guest.Wire;
import io.isola.linux.DetachedTmpfs;
import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile guest and the folder it mirrors (a VM window's screen folder): real frames over a real socket pair into
 * the host's AgentChannel, and a real tmpfs of a fixed size held by a descriptor, as the window's folder is. Every lie
 * ends the channel with a protocol error, and nothing is made in the folder but the plain files an honest round makes,
 * nor anywhere else.
 */
@Tag("kernel")
class HostileMirrorTest {
    static final int CAPACITY = 64 << 10;

    @TempDir
    Path beside;

    private final HostileGuest guest = new HostileGuest();
    private final AgentChannel host = new AgentChannel(guest.hostEnd());
    private final int folderFd = DetachedTmpfs.create(CAPACITY, 8, 0777);
    private final Path folder = Path.of(DetachedTmpfs.path(folderFd));
    private final FolderMirror mirror = new FolderMirror(folderFd);

    @AfterEach
    void close() throws InterruptedException {
        host.close();
        guest.close();
        mirror.close();
        Libc.close(folderFd);
    }

    private void guestSends(byte[] bytes) {
        guest.sends(bytes);
    }

    private static byte[] frame(byte type, byte[] payload) throws IOException {
        return HostileGuest.frame(type, payload);
    }

    private static byte[] data(String name, long size, long offset, boolean fresh, byte[] bytes) throws IOException {
        return frame(Wire.MIRROR_DATA, new MirrorData(name, size, offset, fresh, bytes).encode());
    }

    private static byte[] round() throws IOException {
        return frame(Wire.MIRROR_ROUND, new byte[0]);
    }

    private int relay() throws IOException {
        return host.relay(new Golden.Discard(), mirror);
    }

    private String[] folderNames() throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void namesThatClimbOrHideAreRefusedAndNothingIsMade() throws IOException {
        for (String name : new String[] {"../escape", "a/b", "..", ".isola-fresh-x", "", "x\u0000y", "x".repeat(65)}) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(data(name, 4, 0, true, "evil".getBytes()));
            int[] p = Sockets.pair();
            try (AgentChannel h = new AgentChannel(p[0])) {
                Libc.write(p[1], b.toByteArray());
                assertThatThrownBy(() -> h.relay(new Golden.Discard(), mirror))
                        .as(name)
                        .isInstanceOf(Wire.ProtocolException.class)
                        .hasMessageContaining("only short plain names");
            } finally {
                Libc.close(p[1]);
            }
        }
        assertThat(folderNames()).isEmpty();
        assertThat(Files.exists(folder.resolveSibling("escape"))).isFalse();
    }

    @Test
    void bytesPastTheAnnouncedSizeAreRefused() throws IOException {
        // raw: the guest's codec would not encode this lie
        guestSends(frame(
                Wire.MIRROR_DATA,
                new Wire.Builder()
                        .str("screen")
                        .i64(4)
                        .i64(2)
                        .u8(1)
                        .raw("toolong".getBytes())
                        .bytes()));
        assertThatThrownBy(this::relay).hasMessageContaining("of a file of 4 bytes");
        assertThat(folderNames()).isEmpty();
    }

    @Test
    void aFileLargerThanTheFolderIsRefusedBeforeAByteIsWritten() throws IOException {
        guestSends(data("screen", 1L << 40, 0, true, new byte[16]));
        assertThatThrownBy(this::relay).hasMessageContaining("in a folder of");
        assertThat(folderNames()).isEmpty();
    }

    @Test
    void filesThatTogetherOutgrowTheFolderEndTheChannel() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            for (int off = 0; off < 40 << 10; off += 32 << 10) {
                b.write(data("f" + i, 40 << 10, off, true, new byte[Math.min(32 << 10, (40 << 10) - off)]));
            }
        }
        guestSends(b.toByteArray());
        assertThatThrownBy(this::relay).hasMessageContaining("cannot take it");
    }

    @Test
    void moreFilesThanTheFolderHasNamesAreRefused() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            b.write(data("f" + i, 1, 0, true, new byte[] {1}));
        }
        guestSends(b.toByteArray());
        assertThatThrownBy(this::relay).isInstanceOf(Wire.ProtocolException.class);
    }

    @Test
    void changesToAFileNeverSentWholeAreRefused() throws IOException {
        guestSends(data("screen", 4, 0, false, "abcd".getBytes()));
        assertThatThrownBy(this::relay).hasMessageContaining("never sent whole");
    }

    @Test
    void aFileThatChangesSizeWithoutBeingSentWholeIsRefused() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(data("screen", 4, 0, true, "abcd".getBytes()));
        b.write(round());
        b.write(data("screen", 8, 0, false, "abcdefgh".getBytes()));
        guestSends(b.toByteArray());
        assertThatThrownBy(this::relay).hasMessageContaining("changed its size");
    }

    @Test
    void mirrorFramesWhenNoFolderIsMirroredAreRefused() throws IOException {
        guestSends(data("screen", 4, 0, true, "abcd".getBytes()));
        assertThatThrownBy(() -> host.relay(new Golden.Discard())).hasMessageContaining("no folder is mirrored");
    }

    /** The host's window reads the folder while it is written: a fresh file appears whole, or not at all. */
    @Test
    void anHonestMirrorMakesPlainFilesThatAppearWholeAndGoWhenTheGuestRemovesThem() throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.write(data("screen", 8, 0, true, "abcd".getBytes()));
        first.write(data("screen", 8, 4, true, "efgh".getBytes()));
        guestSends(first.toByteArray());
        guest.sent();
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                rest.write(round());
                rest.write(data("screen", 8, 2, false, "XY".getBytes()));
                rest.write(data("copy", 3, 0, true, "cut".getBytes()));
                rest.write(round());
                rest.write(frame(Wire.MIRROR_GONE, new MirrorGone("copy").encode()));
                rest.write(round());
                rest.write(frame(Wire.EXIT, new Exit(0).encode()));
                guest.sendsNow(rest.toByteArray());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(150); // the first half of the round is in, and no reader sees it under its name
        assertThat(Files.exists(folder.resolve("screen"))).isFalse();
        assertThat(relay()).isZero();
        assertThat(Files.readString(folder.resolve("screen"))).isEqualTo("abXYefgh");
        assertThat(Files.isRegularFile(folder.resolve("screen"), LinkOption.NOFOLLOW_LINKS))
                .isTrue();
        assertThat(folderNames()).containsExactly("screen");
        // three rounds, three acks back to the guest
        byte[] acks = guest.reads(64);
        assertThat(acks).hasSize(15);
        for (int i = 0; i < 15; i += 5) {
            assertThat(acks[i]).isEqualTo(Wire.MIRROR_ACK);
        }
    }

    /**
     * The window reads the screen by the descriptor it opened. A screen the guest truncates and sends whole again
     * must be truncated under that descriptor, as in the sandbox engine, or the window would show the old screen
     * and never learn of the truncation; a file its reader removed comes back whole under its name.
     */
    @Test
    void aShownFileSentWholeAgainIsRewrittenInPlaceAndARemovedOneComesBackWhole() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(data("screen", 8, 0, true, "abcdefgh".getBytes()));
        b.write(data("copy", 3, 0, true, "one".getBytes()));
        b.write(round());
        guestSends(b.toByteArray());
        var relayed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return relay();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int i = 0; i < 200 && !Files.exists(folder.resolve("copy")); i++) {
            Thread.sleep(10);
        }
        try (var reader = java.nio.channels.FileChannel.open(folder.resolve("screen"))) {
            Files.delete(folder.resolve("copy")); // as the window does once it read the clipboard
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(data("screen", 2, 0, true, "zz".getBytes()));
            rest.write(data("copy", 3, 0, true, "two".getBytes()));
            rest.write(round());
            rest.write(frame(Wire.EXIT, new Exit(0).encode()));
            guest.sendsNow(rest.toByteArray());
            assertThat(relayed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
            assertThat(reader.size()).isEqualTo(2);
        }
        assertThat(Files.readString(folder.resolve("screen"))).isEqualTo("zz");
        assertThat(Files.readString(folder.resolve("copy"))).isEqualTo("two");
    }

    /** A guest that sends rounds without pause is slowed to the host's pace, whatever it sends. */
    @Test
    void aFloodOfRoundsIsPacedNotObeyed() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(data("screen", 1, 0, true, new byte[] {0}));
        for (int i = 0; i < 50; i++) {
            b.write(round());
            b.write(data("screen", 1, 0, false, new byte[] {(byte) i}));
        }
        b.write(frame(Wire.EXIT, new Exit(0).encode()));
        guestSends(b.toByteArray());
        long t0 = System.nanoTime();
        assertThat(relay()).isZero();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(49 * FolderMirror.MIN_ROUND_NANOS);
    }
}
