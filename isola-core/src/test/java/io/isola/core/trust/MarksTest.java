package io.isola.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.RealFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real user xattrs on real files: what browsers, curl and Isola itself write. */
class MarksTest {
    @TempDir
    Path tmp;

    Path dir;

    @BeforeEach
    void xattrDir() throws IOException {
        dir = RealFiles.xattrCapable(tmp);
    }

    @Test
    void writtenMarksAreUserXattrsThatReadBackInOrder() throws IOException {
        Path f = Files.writeString(dir.resolve("f.txt"), "hello");
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Marks.TRUST, "untrusted");
        m.put(Marks.CELL, "cell-7");
        m.put(Marks.XDG_ORIGIN, "https://example.com/f.txt");
        new Marks(m).write(f);

        // seen as the kernel stores them, under user.* (the JDK's view drops the prefix)
        assertThat(RealFiles.getXattr(f, "isola.trust")).isEqualTo("untrusted");
        assertThat(RealFiles.getXattr(f, "xdg.origin.url")).isEqualTo("https://example.com/f.txt");
        Marks back = Marks.read(f);
        assertThat(back.values())
                .containsOnly(
                        Map.entry(Marks.TRUST, "untrusted"),
                        Map.entry(Marks.CELL, "cell-7"),
                        Map.entry(Marks.XDG_ORIGIN, "https://example.com/f.txt"));
        assertThat(back.origin()).isEqualTo("https://example.com/f.txt");
    }

    @Test
    void fileWithoutMarksReadsAsEmpty() throws IOException {
        Path f = Files.writeString(dir.resolve("plain"), "x");
        assertThat(Marks.read(f).isEmpty()).isTrue();
        assertThat(Marks.read(f).origin()).isNull();
    }

    @Test
    void readKeepsOnlyIsolaAndFreedesktopMarks() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        RealFiles.setXattr(f, "xdg.referrer.url", "https://example.com/page");
        RealFiles.setXattr(f, "mime_type", "text/plain");
        RealFiles.setXattr(f, "xdg.comment", "hi");
        RealFiles.setXattr(f, "isola.task", "t1");
        assertThat(Marks.read(f).values()).containsOnlyKeys(Marks.XDG_REFERRER, "isola.task");
    }

    @Test
    void isolaOriginIsTheOneRecordedOnOutputsButEveryOriginMarkIsListedForTrust() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        RealFiles.setXattr(f, Marks.XDG_REFERRER, "https://page.example/");
        RealFiles.setXattr(f, Marks.XDG_ORIGIN, "https://browser.example/");
        RealFiles.setXattr(f, Marks.ORIGIN, "https://isola.example/");
        Marks m = Marks.read(f);
        assertThat(m.origin()).isEqualTo("https://isola.example/");
        assertThat(m.origins())
                .containsExactly(
                        Map.entry(Marks.ORIGIN, "https://isola.example/"),
                        Map.entry(Marks.XDG_ORIGIN, "https://browser.example/"),
                        Map.entry(Marks.XDG_REFERRER, "https://page.example/"));
    }

    @Test
    void utf8ValuesSurvive() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        new Marks(Map.of(Marks.XDG_ORIGIN, "https://bücher.example/ü")).write(f);
        assertThat(Marks.read(f).origin()).isEqualTo("https://bücher.example/ü");
    }

    @Test
    void writeReplacesAnEarlierValue() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        RealFiles.setXattr(f, Marks.TRUST, "trusted-and-longer");
        new Marks(Map.of(Marks.TRUST, "untrusted")).write(f);
        assertThat(Marks.read(f).get(Marks.TRUST)).isEqualTo("untrusted");
    }

    // A download's origin must not vanish because its URL is long: that would judge the file by its folder only.
    // ext4 caps a value near its block size, tmpfs (user xattrs since Linux 6.6) takes up to 64 KiB.
    @Test
    void longOriginUrlIsStillRead() throws Exception {
        Path mnt = tmp.resolve("tmpfs");
        try (var m = RealFiles.mount("tmpfs", mnt)) {
            Path f = Files.writeString(mnt.resolve("f"), "x");
            String url = "https://evil.example/?pad=" + "a".repeat(6000);
            RealFiles.setXattr(f, Marks.XDG_ORIGIN, url);
            assertThat(Marks.read(f).origin()).isEqualTo(url);
        }
    }

    @Test
    void ramfsCannotHoldMarks() throws Exception {
        Path mnt = tmp.resolve("ramfs");
        try (var m = RealFiles.mount("ramfs", mnt)) {
            Path f = Files.writeString(mnt.resolve("f"), "x");
            assertThat(Marks.read(f).isEmpty())
                    .as("nothing to read is no marks")
                    .isTrue();
            assertThatThrownBy(() -> new Marks(Map.of(Marks.TRUST, "untrusted")).write(f))
                    .isInstanceOf(Marks.TaintNotWritableException.class)
                    .hasMessage("the file system of " + mnt + " cannot store taint marks (user xattrs)");
        }
    }

    @Test
    void marksAreCopiedOnConstruction() {
        Map<String, String> m = new LinkedHashMap<>(Map.of(Marks.TRUST, "untrusted"));
        Marks marks = new Marks(m);
        m.put(Marks.TRUST, "trusted");
        assertThat(marks.get(Marks.TRUST)).isEqualTo("untrusted");
        assertThatThrownBy(() -> marks.values().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
