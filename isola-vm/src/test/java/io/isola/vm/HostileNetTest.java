package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Egress;
import io.isola.guest.Mux;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile guest on the network port: real bytes over a real socket pair into the host's {@link VmNetChannel}, as
 * a taken-over guest would send them. Each attack must end that channel with one clear message and close every
 * connection the egress was given, and nothing else: the host reads no more, allocates nothing oversized, and its
 * reading thread ends.
 */
class HostileNetTest {
    private final HostileGuest guest = new HostileGuest();
    private final List<Egress.Connection> given = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> broken = new LinkedBlockingQueue<>();
    private final VmNetChannel host =
            new VmNetChannel(guest.hostEnd(), "vm-hostile", (id, c) -> given.add(c), broken::add).start();

    @AfterEach
    void close() throws InterruptedException {
        host.close();
        guest.close();
        assertThat(host.ended()).as("the host's reader outlived its channel").isTrue();
        assertThat(given).as("a connection outlived its channel").noneMatch(Egress.Connection::isOpen);
    }

    private void guestSends(byte[] bytes) {
        guest.sends(bytes);
    }

    private static byte[] frames(Mux.Frame... fs) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Mux.Frame f : fs) {
            Mux.write(b, f);
        }
        return b.toByteArray();
    }

    private String brokenWith() throws InterruptedException {
        String why = broken.poll(20, TimeUnit.SECONDS);
        assertThat(why).as("the channel did not end").isNotNull();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!host.ended() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(host.ended()).as("the host still reads the broken channel").isTrue();
        assertThat(given).noneMatch(Egress.Connection::isOpen);
        assertThat(why)
                .startsWith("the guest broke the network channel's protocol: ")
                .endsWith("; the cell's connections were closed and it has no network from now on");
        return why;
    }

    @Test
    void aFrameForAnIdThatIsNotOpenEndsTheChannel() throws Exception {
        guestSends(frames(Mux.Frame.open(1), Mux.Frame.data(5, new byte[] {'x'})));
        assertThat(brokenWith()).contains("a frame of type 2 for connection 5, which is not open");
        assertThat(given).hasSize(1);
    }

    @Test
    void dataBeyondTheCreditEndsTheChannel() throws Exception {
        byte[] chunk = new byte[Mux.MAX_DATA];
        Mux.Frame[] fs = new Mux.Frame[2 + Mux.WINDOW / Mux.MAX_DATA];
        fs[0] = Mux.Frame.open(0);
        for (int i = 1; i < fs.length; i++) {
            fs[i] = Mux.Frame.data(0, chunk); // the egress reads nothing: no credit comes back
        }
        guestSends(frames(fs));
        assertThat(brokenWith()).contains("DATA beyond the credit");
    }

    @Test
    void anOversizedFrameIsRefusedFromItsHeader() throws Exception {
        guestSends(HexFormat.of().parseHex("02" + "7fffffff" + "0000"));
        assertThat(brokenWith()).contains("network frame of 2147483647 bytes, over the limit of " + (Mux.MAX_DATA + 2));
    }

    @Test
    void garbageEndsTheChannel() throws Exception {
        guestSends("GET / HTTP/1.1\r\n\r\n".getBytes());
        assertThat(brokenWith()).contains("unknown network frame type 71");
    }

    @Test
    void moreConnectionsThanTheBoundEndTheChannel() throws Exception {
        Mux.Frame[] fs = new Mux.Frame[Mux.MAX_CONNECTIONS + 1];
        for (int i = 0; i < Mux.MAX_CONNECTIONS; i++) {
            fs[i] = Mux.Frame.open(i);
        }
        fs[Mux.MAX_CONNECTIONS] = Mux.Frame.open(0); // every id is taken: only a reused one is left
        guestSends(frames(fs));
        assertThat(brokenWith()).contains("OPEN of connection 0, which is open (at most 256 at once)");
        assertThat(given).hasSize(Mux.MAX_CONNECTIONS);
    }

    @Test
    void anIdOverTheBoundEndsTheChannel() throws Exception {
        guestSends(HexFormat.of().parseHex("01" + "00000002" + "0100"));
        assertThat(brokenWith()).contains("connection id 256, over the limit of 256");
    }

    @Test
    void aCreditNeverOwedEndsTheChannel() throws Exception {
        guestSends(frames(Mux.Frame.open(0), Mux.Frame.credit(0, 1)));
        assertThat(brokenWith()).contains("a credit of 1 bytes, more than was sent ahead");
    }

    @Test
    void dataAfterEofEndsTheChannel() throws Exception {
        guestSends(frames(Mux.Frame.open(3), Mux.Frame.eof(3), Mux.Frame.data(3, new byte[] {1})));
        assertThat(brokenWith()).contains("DATA after the EOF of its connection");
    }
}
