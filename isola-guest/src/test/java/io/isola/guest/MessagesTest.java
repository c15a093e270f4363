package io.isola.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each message the agent and the host both read or write: it comes back as it went, its layout is pinned byte by
 * byte (the image's agent and the host are built together, but a layout that moves by accident must show here), and
 * what no honest peer sends is refused as a protocol error.
 */
class MessagesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Payload payload(String hex) {
        return new Payload(HEX.parseHex(hex));
    }

    @Test
    void anEntryComesBackAsItWent() throws ProtocolException {
        Entry e = new Entry(
                Entry.Kind.CHANGED_INPUT,
                Entry.Type.FILE,
                0755,
                1,
                12,
                "sub/r\u00e9sum\u00e9 \ud83d\ude00",
                "/in/sub/r\u00e9sum\u00e9 \ud83d\ude00");
        assertThat(Entry.decode(new Payload(e.encode()))).isEqualTo(e);
    }

    @Test
    void anEntrysLayoutIsPinned() {
        Entry e = new Entry(Entry.Kind.CREATED, Entry.Type.SYMLINK, 0777, 1, 0, "a", "");
        assertThat(HEX.formatHex(e.encode()))
                .isEqualTo("00" + "02" + "000001ff" + "0000000000000001" + "0000000000000000" + "000161" + "0000");
    }

    @Test
    void entryCodesAreFixedWhateverTheOrderOfTheConstants() {
        assertThat(List.of(Entry.Type.values())).extracting(t -> t.code).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(List.of(Entry.Kind.values())).extracting(k -> k.code).containsExactly(0, 1);
    }

    @Test
    void unknownEntryCodesAreRefused() {
        assertThatThrownBy(() -> Entry.decode(payload("0007000001a400000000000000010000000000000000000161" + "0000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown entry type 7");
        assertThatThrownBy(() -> Entry.decode(payload("ff00000001a400000000000000010000000000000000000161" + "0000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown entry kind 255");
    }

    @Test
    void anEntryThatLiesAboutItsNumbersIsRefused() {
        assertThatThrownBy(() -> Entry.decode(
                        payload("000000008000" + "0000000000000001" + "0000000000000000" + "000161" + "0000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("permission bits");
        assertThatThrownBy(() -> Entry.decode(
                        payload("0000000001a4" + "0000000000000001" + "ffffffffffffffff" + "000161" + "0000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("negative");
    }

    @Test
    void trailingBytesAndShortFramesAreRefused() {
        byte[] good = new Exit(0).encode();
        assertThatThrownBy(() -> Exit.decode(payload(HEX.formatHex(good) + "00")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> Exit.decode(payload("000000")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends early");
        assertThatThrownBy(() -> CellPath.decode(payload("0005616263")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends early");
    }

    @Test
    void malformedUtf8IsRefused() {
        // an overlong '/', and a surrogate encoded alone: either would not come back as the same bytes
        assertThatThrownBy(() -> CellPath.decode(payload("0002c0af")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> CellPath.decode(payload("0003eda080")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void aRunComesBackAsItWentInItsOrder() throws ProtocolException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", "/tmp");
        env.put("EMPTY", "");
        RunRequest r = new RunRequest(List.of("/bin/sh", "-c", "echo \u00e9"), env, "/work", true);
        RunRequest back = RunRequest.decode(new Payload(r.encode()));
        assertThat(back).isEqualTo(r);
        assertThat(back.env().keySet()).containsExactly("PATH", "HOME", "EMPTY");
    }

    @Test
    void aRunsLayoutIsPinned() {
        RunRequest r = new RunRequest(List.of("ls"), Map.of("A", "b"), "/", false);
        assertThat(HEX.formatHex(r.encode()))
                .isEqualTo("0001" + "0002" + "6c73" + "0001" + "000141" + "000162" + "00012f" + "00");
        assertThat(HEX.formatHex(new RunRequest(List.of("ls"), Map.of(), "/", true).encode()))
                .isEqualTo("0001" + "00026c73" + "0000" + "00012f" + "01");
    }

    @Test
    void aRunWithoutACommandOrWithAVariableTwiceIsRefused() {
        assertThatThrownBy(() -> RunRequest.decode(payload("0000" + "0000" + "00012f")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("without a command");
        assertThatThrownBy(() -> RunRequest.decode(
                        payload("0001" + "00026c73" + "0002" + "000141000162" + "000141000163" + "00012f" + "00")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> RunRequest.decode(payload("0001" + "00026c73" + "0000" + "00012f" + "02")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("proxy flag is 2");
        assertThatThrownBy(() -> RunRequest.decode(payload("0001" + "00026c73" + "0000" + "00012f")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends early");
    }

    @Test
    void aFalseCountEndsTheFrameInsteadOfAllocatingForIt() {
        assertThatThrownBy(() -> RunRequest.decode(payload("ffff")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends early");
        assertThatThrownBy(() -> HarvestRequest.decode(payload("0000ffff")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends early");
    }

    @Test
    void aHarvestRequestComesBackAsItWent() throws ProtocolException {
        HarvestRequest h = new HarvestRequest("/out", List.of("/in", "/data/in2"));
        assertThat(HarvestRequest.decode(new Payload(h.encode()))).isEqualTo(h);
        HarvestRequest none = new HarvestRequest("", List.of());
        assertThat(HEX.formatHex(none.encode())).isEqualTo("0000" + "0000");
        assertThat(HarvestRequest.decode(new Payload(none.encode()))).isEqualTo(none);
    }

    @Test
    void anExitComesBackAsItWentAndOnlyInRange() throws ProtocolException {
        for (int code : new int[] {0, 1, 127, 137, 255}) {
            assertThat(Exit.decode(new Payload(new Exit(code).encode())).code()).isEqualTo(code);
        }
        assertThat(HEX.formatHex(new Exit(137).encode())).isEqualTo("00000089");
        assertThatThrownBy(() -> Exit.decode(payload("00000100")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Exit.decode(payload("fffffffb")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void anAgentErrorAndACellPathComeBackAsTheyWent() throws ProtocolException {
        AgentError e = new AgentError("/bin/nope: error=2, No such file or directory");
        assertThat(AgentError.decode(new Payload(e.encode()))).isEqualTo(e);
        CellPath p = new CellPath("/in/a b/\u00fc");
        assertThat(CellPath.decode(new Payload(p.encode()))).isEqualTo(p);
        assertThat(HEX.formatHex(new CellPath("/a").encode())).isEqualTo("00022f61");
    }

    @Test
    void listsOverAFramesCountAreNotEncodedTruncated() {
        List<String> many = java.util.Collections.nCopies(0x10000, "");
        assertThatThrownBy(() -> new HarvestRequest("", many).encode()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mirrorMessagesComeBackAsTheyWentAndTheirLayoutIsPinned() throws ProtocolException {
        MirrorRequest r = new MirrorRequest("/run/isola-display", 8 << 20, 8);
        assertThat(MirrorRequest.decode(new Payload(r.encode()))).isEqualTo(r);
        MirrorGone g = new MirrorGone("copy");
        assertThat(MirrorGone.decode(new Payload(g.encode()))).isEqualTo(g);
        MirrorData d = new MirrorData("s", 4, 1, true, new byte[] {7, 8});
        MirrorData back = MirrorData.decode(new Payload(d.encode()));
        assertThat(back.name()).isEqualTo("s");
        assertThat(back.data()).containsExactly(7, 8);
        assertThat(HEX.formatHex(d.encode()))
                .isEqualTo("000173" + "0000000000000004" + "0000000000000001" + "01" + "0708");
    }

    @Test
    void mirrorMessagesThatLieAreRefused() {
        // a fresh flag of 2; data past the file's end; a request for a relative folder
        assertThatThrownBy(() -> MirrorData.decode(payload("000173" + "0000000000000004" + "0000000000000000" + "02")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("fresh flag is 2");
        assertThatThrownBy(() ->
                        MirrorData.decode(payload("000173" + "0000000000000004" + "0000000000000003" + "00" + "0708")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("2 bytes at 3 of a file of 4 bytes");
        assertThatThrownBy(() -> MirrorRequest.decode(new Payload(new MirrorRequest("run", 1, 1).encode())))
                .isInstanceOf(ProtocolException.class);
        assertThat(MirrorData.mirrored("Xvfb_screen0")).isTrue();
        assertThat(List.of(".copy", "../x", "a/b", "", "x".repeat(65))).noneMatch(MirrorData::mirrored);
    }
}
