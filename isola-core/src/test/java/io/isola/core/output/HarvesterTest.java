package io.isola.core.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Harvest;
import io.isola.core.Harvest.Kind;
import io.isola.core.Harvest.OutputFile;
import io.isola.core.Harvest.Problem;
import io.isola.core.OutputQuota;
import io.isola.core.TerminalText;
import io.isola.core.output.Harvester.EntryType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Everything a cell left is hostile: names, types, modes, link counts and sizes are the cell's to choose. */
class HarvesterTest {
    private static final int PLAIN = 0644;

    @TempDir
    Path tmp;

    Path into;

    @BeforeEach
    void staging() throws IOException {
        into = Files.createDirectories(tmp.resolve("staging"));
    }

    @Test
    void regularFileIsStagedWithItsBytesSizeAndHash() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        byte[] data = "hello, host".getBytes(StandardCharsets.UTF_8);
        h.offer("report.txt", EntryType.FILE, PLAIN, 1, new ByteArrayInputStream(data), Kind.CREATED, null);

        Harvest out = h.finish();
        assertThat(out.problems()).isEmpty();
        OutputFile f = single(out);
        assertThat(f.name()).isEqualTo("report.txt");
        assertThat(f.staged()).isEqualTo(into.resolve("report.txt"));
        assertThat(Files.readAllBytes(f.staged())).isEqualTo(data);
        assertThat(f.size()).isEqualTo(data.length);
        assertThat(f.sha256()).isEqualTo(sha256(data));
        assertThat(f.kind()).isEqualTo(Kind.CREATED);
        assertThat(f.input()).isNull();
    }

    @Test
    void largeAndEmptyFilesAreHashedOverEveryByte() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        byte[] big = new byte[200_000 + 17]; // several copy buffers, not a multiple of one
        new java.util.Random(1).nextBytes(big);
        h.offer("big.bin", EntryType.FILE, PLAIN, 1, new ByteArrayInputStream(big), Kind.CREATED, null);
        h.offer("empty", EntryType.FILE, PLAIN, 1, new ByteArrayInputStream(new byte[0]), Kind.CREATED, null);

        List<OutputFile> files = h.finish().files();
        assertThat(files).extracting(OutputFile::size).containsExactly((long) big.length, 0L);
        assertThat(files.get(0).sha256()).isEqualTo(sha256(big));
        assertThat(Files.readAllBytes(files.get(0).staged())).isEqualTo(big);
        assertThat(files.get(1).sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void changedInputKeepsItsKindAndCellPath() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("in/doc.txt", EntryType.FILE, PLAIN, 1, stream("new"), Kind.CHANGED_INPUT, "/in/doc.txt");
        OutputFile f = single(h.finish());
        assertThat(f.kind()).isEqualTo(Kind.CHANGED_INPUT);
        assertThat(f.input()).isEqualTo("/in/doc.txt");
        assertThat(f.staged()).isEqualTo(into.resolve("in/doc.txt"));
    }

    // ---- names

    @Test
    void controlCharactersAreRenamedAndTheContentKept() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("evil\nname\u0007.txt", EntryType.FILE, PLAIN, 1, stream("kept"), Kind.CREATED, null);

        Harvest out = h.finish();
        OutputFile f = single(out);
        assertThat(f.name()).isEqualTo("evil_name_.txt");
        assertThat(Files.readString(f.staged())).isEqualTo("kept");
        assertThat(out.problems())
                .containsExactly(new Problem(
                        "evil\\x0aname\\x07.txt",
                        "had an unsafe name "
                                + "(control or format characters, a leading dot or dash, or over 255 bytes); it comes out as "
                                + "evil_name_.txt",
                        true,
                        Problem.Reason.RENAMED));
    }

    /**
     * Names that hide (a leading dot), read as options (a leading dash) or reorder what the user sees (bidi overrides,
     * zero-width characters: Unicode format characters) are renamed wherever output lands, directories included.
     */
    /**
     * LibreOffice's lock file, left beside a document when its cell ends with the program: not an output, and no
     * line about it; the document itself and a file merely named like a lock come out.
     */
    @Test
    void aProgramsLockFileBesideItsDocumentStaysInTheCell() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("in/.~lock.report.docx#", EntryType.FILE, PLAIN, 1, stream("user,host,time"), Kind.CREATED, null);
        h.offer("in/report.docx", EntryType.FILE, PLAIN, 1, stream("saved"), Kind.CHANGED_INPUT, "/in/report.docx");
        h.offer(".~lock.notes", EntryType.FILE, PLAIN, 1, stream("not a lock"), Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("in/report.docx", "_.~lock.notes");
        assertThat(out.problems()).extracting(Problem::name).containsExactly(".~lock.notes");
    }

    @Test
    void hiddenOptionLikeAndFormatCharacterNamesAreRenamedAndTheContentKept() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        List<String> names = List.of(
                ".bash_profile",
                "-rf",
                "a\u202Etxt.exe",
                "zero\u200Bwidth\uFEFF",
                "iso\u2066late\u2069",
                ".d/.hidden",
                "notes.txt");
        for (String n : names) {
            h.offer(n, EntryType.FILE, PLAIN, 1, stream(n), Kind.CREATED, null);
        }
        Harvest out = h.finish();
        assertThat(out.files())
                .extracting(OutputFile::name)
                .containsExactly(
                        "_.bash_profile", "_-rf", "a_txt.exe", "zero_width_", "iso_late_", "_.d/_.hidden", "notes.txt");
        assertThat(Files.readString(into.resolve("a_txt.exe"))).isEqualTo("a\u202Etxt.exe");
        assertThat(out.problems())
                .extracting(Problem::name)
                .containsExactly(
                        ".bash_profile",
                        "-rf",
                        "a\\u202etxt.exe",
                        "zero\\u200bwidth\\ufeff",
                        "iso\\u2066late\\u2069",
                        ".d/.hidden");
        assertThat(out.problems()).allSatisfy(p -> {
            assertThat(p.kept()).isTrue();
            assertThat(p.reason()).isEqualTo(Problem.Reason.RENAMED);
        });
        assertThat(Harvester.safeName(Harvester.safeName(".x\u202E"))).isEqualTo(Harvester.safeName(".x\u202E"));
    }

    @Test
    void escapeControlsEscapesFormatCharactersAndLineSeparatorsToo() {
        assertThat(TerminalText.escape("a\u202Eb\u2066c\uFEFFd\u200Be\u2028f\u001bg\uDB40\uDC01"))
                .isEqualTo("a\\u202eb\\u2066c\\ufeffd\\u200be\\u2028f\\x1bg\\u{e0001}");
        assertThat(TerminalText.escape("plain é ü 日本")).isEqualTo("plain é ü 日本");
    }

    @Test
    void controlCharacterInADirectoryIsRenamedToo() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        assertThat(h.enter("dir\r")).isTrue();
        h.offer("dir\r/f", EntryType.FILE, PLAIN, 1, stream("x"), Kind.CREATED, null);
        OutputFile f = single(h.finish());
        assertThat(f.name()).isEqualTo("dir_/f");
        assertThat(f.staged()).isEqualTo(into.resolve("dir_/f")).exists();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"..", "../escape", "a/../../escape", "a/..", "./a", "a/./b", "a//b", "a/", "/etc/passwd", "/", ""
            })
    void pathsThatClimbOutOrAreEmptyOrAbsoluteAreRefused(String path) throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer(path, EntryType.FILE, PLAIN, 1, unreadable(), Kind.CREATED, null);

        Harvest out = h.finish();
        assertThat(out.files()).isEmpty();
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.kept()).isFalse();
            assertThat(p.message())
                    .containsAnyOf(
                            "climbs out of the output directory", "has an absolute, empty or absurdly long path");
        });
        assertThat(listAll(tmp))
                .as("nothing written, inside or outside the staging directory")
                .containsExactly(into);
    }

    @Test
    void enterRefusesClimbingPathsToo() {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        assertThat(h.enter("..")).isFalse();
        assertThat(h.enter("/etc")).isFalse();
        assertThat(h.finish().problems()).hasSize(2).allMatch(p -> !p.kept());
    }

    @Test
    void absurdlyLongPathIsRefused() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        String path = String.join("/", java.util.Collections.nCopies(1100, "abc"));
        h.offer(path, EntryType.FILE, PLAIN, 1, unreadable(), Kind.CREATED, null);
        assertThat(h.finish().problems())
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("absurdly long path"));
    }

    @Test
    void nameOver255BytesIsShortenedWithAHashTag() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        String longName = "x".repeat(300);
        h.offer(longName, EntryType.FILE, PLAIN, 1, stream("long"), Kind.CREATED, null);

        Harvest out = h.finish();
        OutputFile f = single(out);
        assertThat(f.name().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(f.name()).startsWith("xxxx").matches("x+~[0-9a-f]{8}");
        assertThat(Files.readString(f.staged())).isEqualTo("long");
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.kept()).isTrue();
            assertThat(p.message()).endsWith("it comes out as " + f.name());
            assertThat(p.name()).hasSize(121).endsWith("…"); // shown bounded
        });
    }

    @Test
    void longMultibyteNameIsCutOnACharacterBoundary() {
        String name = Harvester.safeName("é".repeat(200)); // 400 bytes of UTF-8
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(name).matches("é+~[0-9a-f]{8}");
    }

    @Test
    void longNamesThatShareAPrefixStayDistinct() {
        String a = Harvester.safeName("p".repeat(300) + "a");
        String b = Harvester.safeName("p".repeat(300) + "b");
        assertThat(a).isNotEqualTo(b);
        assertThat(Harvester.safeName("x".repeat(255))).isEqualTo("x".repeat(255)); // exactly at the limit: kept
    }

    @Test
    void namesThatCollideAfterRenamingBothComeOut() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("a\nb", EntryType.FILE, PLAIN, 1, stream("first"), Kind.CREATED, null);
        h.offer("a\tb", EntryType.FILE, PLAIN, 1, stream("second"), Kind.CREATED, null);
        h.offer("a_b", EntryType.FILE, PLAIN, 1, stream("third"), Kind.CREATED, null);

        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("a_b", "a_b.2", "a_b.3");
        assertThat(out.files()).extracting(f -> read(f.staged())).containsExactly("first", "second", "third");
        // the user learns where each one went, the safely named third included
        assertThat(out.problems()).extracting(Problem::name).containsExactly("a\\x0ab", "a\\x09b", "a_b");
        assertThat(out.problems())
                .extracting(Problem::message)
                .containsExactly(
                        "had an unsafe name (control or format characters, a leading dot or dash, or over 255 bytes); it comes "
                                + "out as a_b",
                        "had an unsafe name (control or format characters, a leading dot or dash, or over 255 bytes); it comes "
                                + "out as a_b.2",
                        "has the name of a file that came out before; it comes out as a_b.3");
    }

    // ---- types, links and modes

    @ParameterizedTest
    @EnumSource(
            value = EntryType.class,
            names = {"SYMLINK", "FIFO", "DEVICE", "SOCKET", "OTHER"})
    void onlyRegularFilesLeaveTheCell(EntryType type) throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("thing", type, PLAIN, 1, unreadable(), Kind.CREATED, null);

        Harvest out = h.finish();
        assertThat(out.files()).isEmpty();
        String expected = switch (type) {
            case SYMLINK -> "is a symbolic link; only regular files leave a cell, a link could point anywhere";
            case FIFO -> "is a FIFO; only regular files leave a cell";
            case DEVICE -> "is a device node; only regular files leave a cell";
            case SOCKET -> "is a socket; only regular files leave a cell";
            default -> "is not a regular file; only regular files leave a cell";
        };
        assertThat(out.problems()).containsExactly(new Problem("thing", expected, false, Problem.Reason.NOT_REGULAR));
        assertThat(listAll(into)).isEmpty();
    }

    @Test
    void refusedEntryWithAnUnsafeNameIsReportedOnlyAsRefused() throws Exception {
        // nothing of it comes out, so the user must not read that it "comes out as" something
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("link\n", EntryType.SYMLINK, PLAIN, 1, unreadable(), Kind.CREATED, null);
        assertThat(h.finish().problems()).singleElement().satisfies(p -> {
            assertThat(p.kept()).isFalse();
            assertThat(p.message()).startsWith("is a symbolic link");
        });
    }

    @Test
    void setIdFileOverTheQuotaIsReportedOnlyAsRefused() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(0, 100, 16));
        h.offer("suid\n", EntryType.FILE, 04755, 1, unreadable(), Kind.CREATED, null);
        assertThat(h.finish().problems())
                .containsExactly(new Problem(
                        "suid\\x0a",
                        "is over the output quota of 0 files; it stays in the cell",
                        false,
                        Problem.Reason.FILE_QUOTA));
    }

    @Test
    void directoryEntryIsNeitherAFileNorAProblem() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("sub", EntryType.DIRECTORY, 0755, 2, unreadable(), Kind.CREATED, null);
        assertThat(h.finish().files()).isEmpty();
        assertThat(h.finish().problems()).isEmpty();
    }

    @Test
    void hardLinkedFileIsRefused() throws Exception {
        // a second name could be a link to an input or to a file the host later reads
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("linked", EntryType.FILE, PLAIN, 2, unreadable(), Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat(out.files()).isEmpty();
        assertThat(out.problems())
                .containsExactly(new Problem(
                        "linked",
                        "has 2 hard links; only files with a single name leave a cell",
                        false,
                        Problem.Reason.HARD_LINKS));
    }

    @Test
    void setIdFileComesOutWithoutSetIdOrExecuteBitsAndIsReported() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("suid", EntryType.FILE, 06777, 1, stream("#!/bin/sh"), Kind.CREATED, null);

        Harvest out = h.finish();
        OutputFile f = single(out);
        int mode = (Integer) Files.getAttribute(f.staged(), "unix:mode") & 07777;
        assertThat(mode & 07111)
                .as("no set-id, sticky or execute bit: %o", mode)
                .isZero();
        assertThat(out.problems())
                .containsExactly(new Problem(
                        "suid", "had set-id bits; it comes out as a plain 0644 file", true, Problem.Reason.SET_ID));
    }

    @Test
    void executableWithoutSetIdIsStagedWithoutExecuteBitsAndNotReported() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("run.sh", EntryType.FILE, 0755, 1, stream("echo"), Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat((Integer) Files.getAttribute(single(out).staged(), "unix:mode") & 0111)
                .isZero();
        assertThat(out.problems()).isEmpty();
    }

    // ---- quotas

    @Test
    void fileCountQuotaRefusesTheFilesBeyondIt() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(2, 1 << 20, 16));
        for (String n : List.of("1", "2", "3", "4")) {
            h.offer(n, EntryType.FILE, PLAIN, 1, stream(n), Kind.CREATED, null);
        }
        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("1", "2");
        assertThat(out.problems()).extracting(Problem::name).containsExactly("3", "4");
        assertThat(out.problems().get(0).message())
                .isEqualTo("is over the output quota of 2 files; it stays in the cell");
        assertThat(into.resolve("3")).doesNotExist();
    }

    @Test
    void byteQuotaRefusesTheFileThatCrossesItAndLeavesNoHalfWrittenCopy() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(100, 10, 16));
        h.offer("six", EntryType.FILE, PLAIN, 1, stream("123456"), Kind.CREATED, null);
        h.offer("five", EntryType.FILE, PLAIN, 1, stream("12345"), Kind.CREATED, null);
        h.offer("four", EntryType.FILE, PLAIN, 1, stream("1234"), Kind.CREATED, null); // exactly what is left

        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("six", "four");
        assertThat(into.resolve("five")).doesNotExist();
        assertThat(out.problems())
                .containsExactly(new Problem(
                        "five",
                        "is over the output quota of 10 bytes (4 were left); it stays in the cell",
                        false,
                        Problem.Reason.BYTE_QUOTA));
    }

    @Test
    void hugeStreamIsCutOffAtTheQuotaNotReadToTheEnd() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(10, 1 << 20, 16));
        long[] read = {0};
        InputStream endless = new InputStream() { // a cell could hand over a file that never ends
                    @Override
                    public int read() {
                        read[0]++;
                        return 'z';
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        java.util.Arrays.fill(b, off, off + len, (byte) 'z');
                        read[0] += len;
                        return len;
                    }
                };
        h.offer("endless", EntryType.FILE, PLAIN, 1, endless, Kind.CREATED, null);

        assertThat(h.finish().files()).isEmpty();
        assertThat(read[0]).isLessThan(4L << 20);
        assertThat(into.resolve("endless")).doesNotExist();
    }

    /**
     * A sparse file costs the cell no disk but gigabytes to copy: its declared (apparent) size counts against the
     * quota, and a file that cannot fit is refused before a byte of it is read.
     */
    @Test
    void aFileIsCountedAtItsDeclaredSizeAndRefusedUnreadWhenItCannotFit() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(10, 1 << 20, 16));
        h.offer("sparse", EntryType.FILE, PLAIN, 1, 2L << 30, unreadable(), Kind.CREATED, null);
        h.offer("small", EntryType.FILE, PLAIN, 1, 5, stream("small"), Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("small");
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("sparse");
            assertThat(p.reason()).isEqualTo(Problem.Reason.BYTE_QUOTA);
            assertThat(p.message()).contains("over the output quota of 1048576 bytes", "it claims 2147483648");
        });
        assertThat(into.resolve("sparse")).doesNotExist();
    }

    @Test
    void aFileOverThePerFileLimitIsRefusedUnread() throws Exception {
        Harvester h = new Harvester(into, new OutputQuota(10, 1 << 20, 1, false, 100));
        h.offer("page-1.ppm", EntryType.FILE, PLAIN, 1, 101, unreadable(), Kind.CREATED, null);
        h.offer(
                "page-2.ppm",
                EntryType.FILE,
                PLAIN,
                1,
                100,
                new ByteArrayInputStream(new byte[100]),
                Kind.CREATED,
                null);
        Harvest out = h.finish();
        assertThat(out.files()).extracting(OutputFile::name).containsExactly("page-2.ppm");
        assertThat(out.problems())
                .singleElement()
                .satisfies(
                        p -> assertThat(p.message()).contains("is over the limit of 100 bytes a file (it claims 101)"));
    }

    @Test
    void aFileThatHoldsMoreThanItsDeclaredSizeIsRefused() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.offer("liar", EntryType.FILE, PLAIN, 1, 3, stream("more than three"), Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat(out.files()).isEmpty();
        assertThat(out.problems())
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("holds more than the 3 bytes it declared"));
        assertThat(into.resolve("liar")).doesNotExist();
    }

    @Test
    void unreadableContentIsReportedAndLeavesNoFile() throws Exception {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 3) {
                    throw new IOException("cell went away");
                }
                return 'a';
            }
        };
        h.offer("gone", EntryType.FILE, PLAIN, 1, failing, Kind.CREATED, null);
        Harvest out = h.finish();
        assertThat(out.files()).isEmpty();
        assertThat(out.problems())
                .containsExactly(new Problem(
                        "gone", "could not be copied out: cell went away", false, Problem.Reason.UNREADABLE));
        assertThat(into.resolve("gone")).doesNotExist();
    }

    @Test
    void depthLimitStopsDescentAndSaysWhy() {
        Harvester h = new Harvester(into, new OutputQuota(10, 100, 2));
        assertThat(h.enter("a")).isTrue();
        assertThat(h.enter("a/b")).isTrue();
        assertThat(h.enter("a/b/c")).isFalse();
        assertThat(h.finish().problems())
                .containsExactly(new Problem(
                        "a/b/c",
                        "is nested deeper than 2 directories; its contents stay in the cell",
                        false,
                        Problem.Reason.TOO_DEEP));
    }

    @Test
    void refuseRecordsWhatTheEngineCouldNotOffer() {
        Harvester h = new Harvester(into, OutputQuota.DEFAULT);
        h.refuse("vanished\n", "vanished while being read");
        assertThat(h.finish().problems())
                .containsExactly(
                        new Problem("vanished\\x0a", "vanished while being read", false, Problem.Reason.UNREADABLE));
    }

    @Test
    void printableEscapesControlsAndBoundsTheLength() {
        assertThat(TerminalText.printable("a\u001b[31mb")).isEqualTo("a\\x1b[31mb");
        assertThat(TerminalText.printable("ok")).isEqualTo("ok");
        assertThat(TerminalText.printable("y".repeat(500))).isEqualTo("y".repeat(120) + "…");
    }

    @Test
    void quotaRefusesNegativeBounds() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OutputQuota(-1, 1, 1))
                .isInstanceOf(io.isola.core.IsolaException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OutputQuota(1, 1, 0))
                .isInstanceOf(io.isola.core.IsolaException.class);
    }

    // ---- helpers

    private static OutputFile single(Harvest h) {
        assertThat(h.files()).hasSize(1);
        return h.files().get(0);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Content the harvester must not read: it refuses the entry first. */
    private static InputStream unreadable() {
        return new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("content of a refused entry was read");
            }
        };
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every path below {@code root}, not {@code root} itself. */
    private static List<Path> listAll(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).toList();
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
