package io.isola.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageTest {
    @Test
    void fieldsRoundTripInOrderWithRepeatedKeys() throws Exception {
        Message m = new Message()
                .add("verb", "run")
                .add("arg", "/bin/sh")
                .add("arg", "-c")
                .add("arg", "echo ü\n;")
                .add("empty", "");
        byte[] frame = m.encode();
        int n = Message.length(Arrays.copyOf(frame, 4));
        Message back = Message.decode(Arrays.copyOfRange(frame, 4, 4 + n));
        assertThat(back.get("verb")).isEqualTo("run");
        assertThat(back.all("arg")).containsExactly("/bin/sh", "-c", "echo ü\n;");
        assertThat(back.get("empty")).isEmpty();
        assertThat(back.get("missing")).isNull();
    }

    @Test
    void frameLengthsOutOfBoundsAreRefusedFromTheHeader() {
        assertThatThrownBy(() -> Message.length(
                        ByteBuffer.allocate(4).putInt(Message.MAX_BYTES + 1).array()))
                .isInstanceOf(Message.BadFrame.class)
                .hasMessageContaining("larger than");
        assertThatThrownBy(
                        () -> Message.length(ByteBuffer.allocate(4).putInt(-1).array()))
                .isInstanceOf(Message.BadFrame.class);
    }

    @Test
    void malformedBodiesAreRefused() {
        assertThatThrownBy(() -> Message.decode(new byte[] {0})).isInstanceOf(Message.BadFrame.class);
        assertThatThrownBy(() -> Message.decode(new byte[] {1, 'k', 0, 0, 0, 9, 'v'}))
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> Message.decode(new byte[] {1, 'k', 0, 0, 0, 1, 0}))
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> Message.decode(new byte[] {1, 'k', 0, 0, 0, 1, (byte) 0xff}))
                .hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> Message.decode(new byte[] {1, '\n', 0, 0, 0, 0}))
                .hasMessageContaining("ASCII");
        byte[] many = new byte[(Message.MAX_FIELDS + 1) * 6];
        for (int i = 0; i < Message.MAX_FIELDS + 1; i++) {
            many[i * 6] = 1;
            many[i * 6 + 1] = 'k';
        }
        assertThatThrownBy(() -> Message.decode(many)).hasMessageContaining("fields");
    }

    @Test
    void aClientCannotBuildAnOversizedRequest() {
        Message m = new Message();
        m.add("arg", "x".repeat(Message.MAX_BYTES));
        assertThatThrownBy(m::encode)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KiB");
    }
}
