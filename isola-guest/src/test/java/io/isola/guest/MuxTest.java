package io.isola.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.guest.Wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The network port's frames and its flow control: frames come back as they went, their layout is pinned, and what no
 * honest peer sends (a frame too large, of an unknown type or shape, an id over the bound, DATA beyond the credit or
 * after the end, a credit never owed) is a protocol error, found before anything is allocated for it.
 */
class MuxTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Mux.Frame read(String hex) throws IOException {
        return Mux.read(new DataInputStream(new ByteArrayInputStream(HEX.parseHex(hex))));
    }

    private static Mux.Frame roundTrip(Mux.Frame f) throws IOException {
        return Mux.read(new DataInputStream(new ByteArrayInputStream(Mux.encode(f))));
    }

    @Test
    void framesComeBackAsTheyWent() throws IOException {
        for (Mux.Frame f : new Mux.Frame[] {
            Mux.Frame.open(0), Mux.Frame.eof(7), Mux.Frame.close(255), Mux.Frame.credit(3, Mux.WINDOW)
        }) {
            assertThat(roundTrip(f)).usingRecursiveComparison().isEqualTo(f);
        }
        byte[] data = new byte[Mux.MAX_DATA];
        data[Mux.MAX_DATA - 1] = 42;
        assertThat(roundTrip(Mux.Frame.data(9, data)).data()).isEqualTo(data);
        assertThat(read("")).isNull();
    }

    @Test
    void theLayoutIsPinned() {
        assertThat(HEX.formatHex(Mux.encode(Mux.Frame.open(1)))).isEqualTo("01" + "00000002" + "0001");
        assertThat(HEX.formatHex(Mux.encode(Mux.Frame.data(2, new byte[] {'h', 'i'}))))
                .isEqualTo("02" + "00000004" + "0002" + "6869");
        assertThat(HEX.formatHex(Mux.encode(Mux.Frame.eof(3)))).isEqualTo("03" + "00000002" + "0003");
        assertThat(HEX.formatHex(Mux.encode(Mux.Frame.close(4)))).isEqualTo("04" + "00000002" + "0004");
        assertThat(HEX.formatHex(Mux.encode(Mux.Frame.credit(5, 65536))))
                .isEqualTo("05" + "00000006" + "0005" + "00010000");
    }

    @Test
    void malformedFramesAreRefused() {
        assertThatThrownBy(() -> read("09" + "00000002" + "0001"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown network frame type 9");
        // announced 2 GiB: refused from the header, nothing read or allocated
        assertThatThrownBy(() -> read("02" + "7fffffff"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("over the limit of " + (Mux.MAX_DATA + 2));
        assertThatThrownBy(() -> read("02" + "00000002" + "0001"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("payload of 2 bytes");
        assertThatThrownBy(() -> read("01" + "00000003" + "000100"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("payload of 3 bytes");
        assertThatThrownBy(() -> read("01" + "00000002" + "0100"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("connection id 256, over the limit of 256");
        assertThatThrownBy(() -> read("05" + "00000006" + "0001" + "00000000"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("a credit of 0 bytes");
        assertThatThrownBy(() -> read("05" + "00000006" + "0001" + "00020001"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("a credit of 131073 bytes");
        assertThatThrownBy(() -> read("02" + "00000010" + "0001"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends inside a frame");
        assertThatThrownBy(() -> read("02" + "0000"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends inside a frame header");
    }

    @Test
    void dataBeyondTheCreditOrAfterTheEndIsRefused() throws Exception {
        Inbox in = new Inbox();
        in.add(new byte[Mux.WINDOW - 1]);
        in.add(new byte[1]);
        assertThatThrownBy(() -> in.add(new byte[1]))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("beyond the credit");
        Inbox ended = new Inbox();
        ended.end();
        assertThatThrownBy(() -> ended.add(new byte[1])).hasMessageContaining("DATA after the EOF");
        assertThatThrownBy(ended::end).hasMessageContaining("second EOF");
        assertThat(ended.closedByPeer()).isFalse();
        assertThat(ended.closedByPeer()).isTrue();
    }

    @Test
    void readingGivesCreditBackInBatchesAndThenTheSenderMaySendAgain() throws Exception {
        Inbox in = new Inbox();
        Window out = new Window();
        assertThat(out.take(Mux.WINDOW + 1)).isEqualTo(Mux.WINDOW);
        in.add(new byte[Mux.WINDOW]);
        ByteBuffer small = ByteBuffer.allocate(1000);
        assertThat(in.read(small)).isEqualTo(1000);
        assertThat(in.creditToReturn()).isZero(); // too little to be worth a frame
        ByteBuffer rest = ByteBuffer.allocate(Mux.WINDOW);
        assertThat(in.read(rest)).isEqualTo(Mux.WINDOW - 1000);
        int credit = in.creditToReturn();
        assertThat(credit).isEqualTo(Mux.WINDOW);
        out.grant(credit);
        in.add(new byte[Mux.WINDOW]); // within the credit given back
        assertThatThrownBy(() -> out.grant(1))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("more than was sent ahead");
        in.end();
        in.read(ByteBuffer.allocate(Mux.WINDOW));
        assertThat(in.read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void aDiscardedInboxStillCountsTheCredit() throws Exception {
        Inbox in = new Inbox();
        in.discard();
        in.add(new byte[Mux.WINDOW]);
        assertThat(in.read(ByteBuffer.allocate(10))).isEqualTo(-1);
        assertThatThrownBy(() -> in.add(new byte[1])).hasMessageContaining("beyond the credit");
    }
}
