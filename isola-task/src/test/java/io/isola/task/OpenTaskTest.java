package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.Marks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code open FILE} end to end: real files, a real sandbox cell, real xattrs on the kept files. */
class OpenTaskTest extends WithTasks {

    /** A policy whose untrusted level runs {@code script} for every type, with {@code extra} level settings. */
    static String policy(String persistence, String script, String extra) {
        return """
                version = 1
                [level.untrusted]
                persistence = "%s"
                %s
                [level.untrusted.handlers]
                "*" = ["/bin/sh", "-c", '''%s''', "handler", "{file}"]
                """.formatted(persistence, extra, script);
    }

    @Test
    void theCellSeesItsCopyOfTheFileAndAnEmptyOutputAndNothingElseOfTheFolder() throws IOException {
        Path dir = TaskHarness.folder("docs");
        Path doc = Files.writeString(dir.resolve("doc.txt"), "the document\n");
        Files.writeString(dir.resolve("secret.txt"), "sibling secret\n");
        var r = h.open(policy("discard", """
                echo "in: $(ls -A /in)"; echo "out: $(ls -A /out | wc -l)"; cat "$1"
                cat %s/secret.txt 2>/dev/null || echo "no sibling"
                cat %s 2>/dev/null || echo "no original"
                """.formatted(dir, doc), ""), doc);
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("in: doc.txt", "out: 0", "the document", "no sibling", "no original")
                .doesNotContain("sibling secret");
    }

    @Test
    void discardLetsNothingOut() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("d").resolve("a.txt"), "x");
        long before = count(h.quarantine());
        var r = h.open(policy("discard", "echo made > /out/result.txt; echo changed >> \"$1\"", ""), doc);
        assertThat(r.code()).isZero();
        assertThat(r.report()).contains("discarded 2 file(s)");
        assertThat(count(h.quarantine())).isEqualTo(before);
        assertThat(Files.readString(doc)).isEqualTo("x");
    }

    @Test
    void aZipUnderTheBuiltInPolicySaysHowToKeepWhatItDiscarded() throws IOException {
        Path zip = TaskHarness.folder("z").resolve("photos.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (String n : List.of("one.txt", "two.txt")) {
                z.putNextEntry(new java.util.zip.ZipEntry(n));
                z.write(n.getBytes());
                z.closeEntry();
            }
        }
        var r = h.open(new String(LinkTaskTest.readBuiltIn()), zip);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report())
                .contains("discarded 2 file(s) the task left: the policy says discard for untrusted "
                        + "tasks; to keep them, set persistence = \"quarantine\" (kept apart, tainted) or \"new-version\" "
                        + "under [level.untrusted] in a policy file of your own, /root/.config/isola/policy.toml");
    }

    @Test
    void quarantineKeepsTaintedFilesWithOriginTaskTimeAndHash() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("d").resolve("b.txt"), "input");
        var r = h.open(policy("quarantine", "printf result > /out/r.txt", ""), doc);
        Path kept = keptFile(r.report());
        assertThat(kept).startsWith(h.quarantine()).hasContent("result");
        Marks m = Marks.read(kept);
        assertThat(m.get(Marks.TRUST)).isEqualTo("untrusted");
        assertThat(m.get(Marks.ORIGIN)).isEqualTo(doc.toUri().toString());
        assertThat(m.get(Marks.CELL)).startsWith("c");
        assertThat(m.get("isola.task")).startsWith("t");
        assertThat(m.get(Marks.TIME)).isNotBlank();
        assertThat(m.get(Marks.SHA256)).isEqualTo(sha256("result"));
        assertThat(h.seal.verifies(m, sha256("result"))).isTrue();
    }

    @Test
    void newVersionGoesBesideTheOriginalAndNeverOverwritesAnything() throws IOException {
        Path dir = TaskHarness.folder("mine");
        Path doc = Files.writeString(dir.resolve("notes.txt"), "v1\n");
        Files.writeString(dir.resolve("summary.txt"), "already here");
        String trusted = """
                version = 1
                [[rule]]
                name = "mine"
                trust = "trusted"
                directories = ["%s"]
                [level.trusted]
                persistence = "new-version"
                [level.trusted.handlers]
                "*" = ["/bin/sh", "-c", 'echo v2 >> "$1"; echo sum > /out/summary.txt', "h", "{file}"]
                """.formatted(dir);
        var r = h.open(trusted, doc);
        assertThat(r.report()).contains("trusted: rule 'mine'");
        assertThat(doc).hasContent("v1");
        assertThat(dir.resolve("notes (isola 2).txt")).hasContent("v1\nv2");
        assertThat(dir.resolve("summary.txt")).hasContent("already here");
        // what else the task made is not a new version of the original: it goes to the quarantine
        assertThat(dir.resolve("summary (isola 2).txt")).doesNotExist();
        assertThat(r.report()).contains("summary.txt (quarantined: not a new version of notes.txt");
        Path kept = dir.resolve("notes (isola 2).txt");
        assertThat(Marks.read(kept).get(Marks.TRUST)).isEqualTo("trusted");
        assertThat(Marks.read(kept).get(Marks.KIND)).isEqualTo("task-output");

        // trusted by its place and the trusted input it was made from, never by its own seal: an untrusted origin
        // mark added to it wins, and the reason never claims it was rebuilt from pixels
        var classifier = new io.isola.core.policy.TrustClassifier(
                io.isola.core.policy.PolicyFile.parse(trusted, "p", h.home), h.seal);
        var before = classifier.file(kept.toRealPath(), "text/plain", Marks.read(kept), sha256("v1\nv2\n"));
        assertThat(before.level().word()).as(before.reason()).isEqualTo("trusted");
        assertThat(before.reason()).doesNotContain("pixels");
        Files.getFileAttributeView(kept, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write(Marks.XDG_ORIGIN, java.nio.charset.StandardCharsets.UTF_8.encode("https://evil.example/x"));
        var after = classifier.file(kept.toRealPath(), "text/plain", Marks.read(kept), sha256("v1\nv2\n"));
        assertThat(after.level().word()).isEqualTo("untrusted");
        assertThat(after.reason()).contains("https://evil.example/x").doesNotContain("pixels");
    }

    @Test
    void anUnchangedInputDoesNotComeOutAgain() throws IOException {
        Path dir = TaskHarness.folder("same");
        Path doc = Files.writeString(dir.resolve("same.txt"), "same\n");
        var r = h.open(policy("quarantine", "touch \"$1\"; cat \"$1\" > /dev/null", ""), doc);
        assertThat(r.report()).doesNotContain("kept");
    }

    @Test
    void filesExtractedFromAnUntrustedArchiveInheritItsOrigin() throws Exception {
        Path dir = TaskHarness.folder("mail");
        Path zip = dir.resolve("attachment.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("inner/readme.txt"));
            z.write("from the archive".getBytes());
            z.closeEntry();
        }
        Files.getFileAttributeView(zip, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write(
                        Marks.XDG_ORIGIN,
                        java.nio.charset.StandardCharsets.UTF_8.encode("https://mail.example.org/a.zip"));
        String p = """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                "application/zip" = ["unzip", "-q", "-d", "{output}", "{file}"]
                """;
        var r = h.open(p, zip);
        assertThat(r.report()).contains("application/zip", "downloaded from https://mail.example.org/a.zip");
        Path kept = keptFile(r.report());
        assertThat(kept.toString()).endsWith("inner/readme.txt");
        Marks m = Marks.read(kept);
        assertThat(m.get(Marks.XDG_ORIGIN)).isEqualTo("https://mail.example.org/a.zip");
        assertThat(m.get(Marks.ORIGIN)).isEqualTo("https://mail.example.org/a.zip");
        assertThat(m.get(Marks.TRUST)).isEqualTo("untrusted");
    }

    @Test
    void theTypeComesFromTheContentNotTheName() throws IOException {
        Path doc = Files.write(
                TaskHarness.folder("t").resolve("harmless.txt"),
                "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".getBytes());
        String p = """
                version = 1
                [level.untrusted.handlers]
                "application/pdf" = ["echo", "pdf handler"]
                "text/*" = ["echo", "text handler"]
                """;
        var r = h.open(p, doc);
        assertThat(r.out()).contains("pdf handler");
        assertThat(r.report()).contains("is application/pdf");
    }

    @Test
    void aHandlerThatHangsIsKilledAtTheTimeout() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("h").resolve("slow.txt"), "x");
        long t0 = System.nanoTime();
        var r = h.open(policy("quarantine", "echo partial > /out/p.txt; sleep 600", "timeout = \"2s\""), doc);
        assertThat((System.nanoTime() - t0) / 1_000_000_000).isLessThan(30);
        assertThat(r.code()).isEqualTo(137);
        assertThat(r.report()).contains("stopped: timeout");
        assertThat(keptFile(r.report())).hasContent("partial");
    }

    @Test
    void aHandlerThatRunsOutOfMemoryNamesThePolicysMemoryLimit() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("h").resolve("greedy.txt"), "x");
        var r = h.open(policy("discard", "perl -e '$x = \"a\" x (200 * 1024 * 1024)'", "memory = \"64M\""), doc);
        assertThat(r.code()).isEqualTo(137);
        assertThat(r.report())
                .contains(
                        "the task reached its memory limit (memory in the policy: 1 process killed",
                        "raise it in the policy's [level.untrusted]");
    }

    @Test
    void aZipBombFillsOnlyTheCellsOwnDiskAndLeavesWithinTheQuota() throws Exception {
        Path dir = TaskHarness.folder("bomb");
        Path zip = dir.resolve("bomb.zip");
        byte[] zeros = new byte[1 << 20];
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.setLevel(9);
            z.putNextEntry(new java.util.zip.ZipEntry("zeros.bin"));
            for (int i = 0; i < 200; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
        assertThat(Files.size(zip)).isLessThan(1 << 20);
        String p = """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                disk = "24M"
                output-bytes = "8M"
                [level.untrusted.handlers]
                "application/zip" = ["unzip", "-q", "-d", "{output}", "{file}"]
                """;
        var r = h.open(p, zip);
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("zeros.bin is over the output quota of 8388608 bytes");
        assertThat(r.report()).doesNotContain("kept");
    }

    @Test
    void aFileChangedAfterItWasOpenedIsNotSeenByTheCell() throws Exception {
        Path doc = Files.writeString(TaskHarness.folder("c").resolve("doc.txt"), "original\n");
        var t = new Thread(() -> {
            try {
                Thread.sleep(1500);
                Files.writeString(doc, "swapped\n");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        var r = h.open(policy("discard", "sleep 3; cat \"$1\"", ""), doc);
        t.join();
        assertThat(r.out()).contains("original").doesNotContain("swapped");
    }

    @Test
    void aFileThatChangesWhileItIsCopiedIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("growing");
        Path doc = dir.resolve("growing.bin");
        Files.write(doc, new byte[64 << 20]);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var writer = new Thread(() -> {
            try (var out = Files.newOutputStream(doc, java.nio.file.StandardOpenOption.APPEND)) {
                while (!stop.get()) {
                    out.write(1);
                    out.flush();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        try {
            Thread.sleep(50);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> InputSnapshot.take(doc, dir.resolve("snap"), 1L << 30, java.util.Map.of()))
                    .hasMessageContaining("changed while it was being opened");
        } finally {
            stop.set(true);
            writer.join();
            TaskHarness.delete(dir);
        }
    }

    @Test
    void aFileNameOrOriginMarkCannotDriveTheUsersTerminalThroughIsolasReport() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("esc").resolve("a\u001b]0;pwned\u0007\nb.txt"), "x");
        Files.getFileAttributeView(doc, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write(Marks.XDG_ORIGIN, java.nio.charset.StandardCharsets.UTF_8.encode("https://e.example/\u001b[2J"));
        var r = h.open(policy("discard", "true", ""), doc);
        assertThat(r.report()).contains("a\\x1b]0;pwned\\x07\\x0ab.txt").doesNotContain("\u001b", "\u0007");
        assertThat(r.report().lines().count()).isEqualTo(1);
    }

    @Test
    void aPolicyThatNamesNoHandlerForTheTypeSaysWhatToAdd() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("n").resolve("x.txt"), "x");
        var r = h.open("version = 1\n[level.untrusted.handlers]\n\"image/*\" = [\"true\"]\n", doc);
        assertThat(r.report()).contains("names no handler for text/plain", "[level.untrusted.handlers]");
    }

    @Test
    void nothingOfTheTaskRemainsInTheStateDirectory() throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("s").resolve("x.txt"), "x");
        h.open(policy("discard", "echo hi > /out/x", ""), doc);
        try (Stream<Path> s = Files.list(h.state.resolve("tasks"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    static Path keptFile(String report) {
        List<String> kept =
                report.lines().filter(l -> l.startsWith("isola: kept ")).toList();
        assertThat(kept).as(report).hasSize(1);
        String line = kept.get(0);
        return Path.of(line.substring("isola: kept ".length(), line.lastIndexOf(" (")));
    }

    static long count(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    static String sha256(String s) {
        return sha256(s.getBytes());
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
