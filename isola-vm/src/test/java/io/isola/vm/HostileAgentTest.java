package io.isola.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Harvest;
import io.isola.core.OutputQuota;
import io.isola.core.output.Harvester;
import io.isola.guest.AgentError;
import io.isola.guest.Entry;
import io.isola.guest.Exit;
import io.isola.guest.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile guest: real bytes over a real socket pair into the host's AgentChannel, as a taken-over agent would send
 * them. Each attack must end the channel with a protocol error, never reach the Harvester or the disk. Frames whose
 * layout is sound but whose content lies are built with the guest's own codec; raw bytes only where the layout itself
 * is the attack.
 */
@Tag("qemu")
class HostileAgentTest {
    @TempDir
    Path into;

    private final HostileGuest guest = new HostileGuest();
    private final AgentChannel host = new AgentChannel(guest.hostEnd());

    @AfterEach
    void close() throws InterruptedException {
        host.close();
        guest.close();
    }

    private void guestSends(byte[] bytes) {
        guest.sends(bytes);
    }

    private static byte[] frame(byte type, byte[] payload) throws IOException {
        return HostileGuest.frame(type, payload);
    }

    private static byte[] entry(String path, long size) throws IOException {
        return entry(Entry.Type.FILE, path, size);
    }

    private static byte[] entry(Entry.Type type, String path, long size) throws IOException {
        return frame(Wire.ENTRY, new Entry(Entry.Kind.CREATED, type, 0644, 1, size, path, "").encode());
    }

    /** An ENTRY for "x" with these raw kind and type codes and mode, as a lying guest lays them out. */
    private static byte[] rawEntry(int kind, int type, int mode) throws IOException {
        return frame(
                Wire.ENTRY,
                new Wire.Builder()
                        .u8(kind)
                        .u8(type)
                        .i32(mode)
                        .i64(1)
                        .i64(0)
                        .str("x")
                        .str("")
                        .bytes());
    }

    private void harvest() throws IOException {
        host.harvest("/out", List.of(), new Harvester(into, OutputQuota.DEFAULT), OutputQuota.DEFAULT);
    }

    @Test
    void anOversizedFrameIsRefusedBeforeItIsRead() {
        guestSends(new byte[] {Wire.STDOUT, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThatThrownBy(() -> host.relay(new Golden.Discard()))
                .isInstanceOf(Wire.ProtocolException.class)
                .hasMessageContaining("over the limit");
    }

    @Test
    void anUnknownFrameWhileTheTaskRunsEndsTheChannel() throws IOException {
        guestSends(frame((byte) 99, new byte[3]));
        assertThatThrownBy(() -> host.relay(new Golden.Discard())).hasMessageContaining("unexpected frame type 99");
    }

    @Test
    void emptyOutputFramesAreAFlood() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            b.write(frame(Wire.STDOUT, new byte[0]));
        }
        guestSends(b.toByteArray());
        assertThatThrownBy(() -> host.relay(new Golden.Discard())).hasMessageContaining("empty output frame");
    }

    @Test
    void aFloodOfAgentErrorsIsCutOff() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            b.write(frame(Wire.ERROR, new AgentError("\u001b[2Jfake prompt$ ").encode()));
        }
        guestSends(b.toByteArray());
        List<String> shown = new java.util.ArrayList<>();
        assertThatThrownBy(() -> host.relay(new AgentChannel.TaskOutput() {
                    @Override
                    public void stdout(byte[] data) {}

                    @Override
                    public void stderr(byte[] data) {}

                    @Override
                    public void agentError(String message) {
                        shown.add(message);
                    }
                }))
                .hasMessageContaining("flood");
        assertThat(shown).hasSize(AgentChannel.MAX_ERRORS).allMatch(m -> !m.contains("\u001b"));
    }

    @Test
    void anExitCodeOutOfRangeIsRefused() throws IOException {
        guestSends(frame(Wire.EXIT, new Wire.Builder().i32(-5).bytes())); // raw: the codec would not encode a lie
        assertThatThrownBy(() -> host.relay(new Golden.Discard())).hasMessageContaining("out of range");
    }

    @Test
    void anHonestExitEndsTheRelay() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(frame(Wire.STDOUT, "out".getBytes()));
        b.write(frame(Wire.EXIT, new Exit(3).encode()));
        guestSends(b.toByteArray());
        assertThat(host.relay(new Golden.Discard())).isEqualTo(3);
    }

    @Test
    void aPathThatClimbsOutIsRefused() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(entry("../../etc/cron.d/evil", 4));
        guestSends(b.toByteArray());
        assertThatThrownBy(this::harvest).hasMessageContaining("climbs out");
        assertThat(Files.list(into)).isEmpty();
    }

    @Test
    void absoluteAndNulPathsAreRefused() throws IOException {
        guestSends(entry("/etc/passwd", 0));
        assertThatThrownBy(this::harvest).hasMessageContaining("absolute");
    }

    @Test
    void invalidUtf8IsRefused() throws IOException {
        byte[] bad = {0, 3, (byte) 0xff, (byte) 0xfe, 'x'};
        guestSends(frame(
                Wire.ENTRY,
                new Wire.Builder()
                        .u8(0)
                        .u8(0)
                        .i32(0644)
                        .i64(1)
                        .i64(0)
                        .raw(bad)
                        .str("")
                        .bytes()));
        assertThatThrownBy(this::harvest).hasMessageContaining("UTF-8");
    }

    @Test
    void anUnknownEntryTypeIsRefused() throws IOException {
        guestSends(rawEntry(0, 7, 0644));
        assertThatThrownBy(this::harvest)
                .isInstanceOf(Wire.ProtocolException.class)
                .hasMessageContaining("unknown entry type 7");
    }

    @Test
    void anUnknownEntryKindIsRefused() throws IOException {
        guestSends(rawEntry(2, 0, 0644));
        assertThatThrownBy(this::harvest).hasMessageContaining("unknown entry kind 2");
    }

    @Test
    void anEntryModeWithMoreThanPermissionBitsIsRefused() throws IOException {
        guestSends(rawEntry(0, 0, 0100644));
        assertThatThrownBy(this::harvest).hasMessageContaining("more than permission bits");
    }

    @Test
    void eachEntryTypeCodeReachesTheHarvesterAsTheTypeOfTheSameName() {
        for (Entry.Type t : Entry.Type.values()) {
            assertThat(AgentChannel.type(t).name()).isEqualTo(t.name());
        }
        for (Entry.Kind k : Entry.Kind.values()) {
            assertThat(AgentChannel.kind(k).name()).isEqualTo(k.name());
        }
    }

    @Test
    void aLinkThatCrossesTheWireStaysInTheCell() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(entry(Entry.Type.SYMLINK, "link", 0));
        b.write(frame(Wire.HARVEST_END, new byte[0]));
        guestSends(b.toByteArray());
        Harvest h = host.harvest("/out", List.of(), new Harvester(into, OutputQuota.DEFAULT), OutputQuota.DEFAULT);
        assertThat(h.files()).isEmpty();
        assertThat(h.problems())
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("symbolic link"));
        assertThat(Files.list(into)).isEmpty();
    }

    @Test
    void aFloodOfEntriesIsCutOff() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] dir = entry(Entry.Type.DEVICE, "dev", 0);
        for (int i = 0; i < OutputQuota.DEFAULT.maxFiles() * 3; i++) {
            b.write(dir);
        }
        guestSends(b.toByteArray());
        assertThatThrownBy(this::harvest).hasMessageContaining("flood");
    }

    @Test
    void moreContentThanAnnouncedIsRefused() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(entry("a.txt", 2));
        b.write(frame(Wire.DATA, "far more than two bytes".getBytes()));
        guestSends(b.toByteArray());
        assertThatThrownBy(this::harvest).hasMessageContaining("longer than announced");
    }

    @Test
    void anAnnouncedSizeOverTheQuotaIsRefusedBeforeAnyByteIsRead() throws IOException {
        guestSends(entry("huge.bin", Long.MAX_VALUE));
        assertThatThrownBy(this::harvest).hasMessageContaining("quota");
        assertThat(Files.list(into)).isEmpty();
    }

    @Test
    void aWellFormedHarvestStillWorks() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(entry("ok.txt", 5));
        b.write(frame(Wire.DATA, "hello".getBytes()));
        b.write(frame(Wire.DATA_END, new byte[0]));
        b.write(frame(Wire.HARVEST_END, new byte[0]));
        guestSends(b.toByteArray());
        var h = host.harvest("/out", List.of(), new Harvester(into, OutputQuota.DEFAULT), OutputQuota.DEFAULT);
        assertThat(h.files()).hasSize(1);
        assertThat(Files.readString(into.resolve("ok.txt"))).isEqualTo("hello");
    }
}
