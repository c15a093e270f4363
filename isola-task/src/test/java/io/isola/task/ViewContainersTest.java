package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Sha256;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Archives and messages, end to end in real cells: a cell unpacks them, every member gets its own view in its own
 * cell, in a folder with an index. Every archive and message is made here, hostile ones included.
 */
class ViewContainersTest extends WithTasks {
    private static final String POLICY = ViewTaskTest.POLICY;

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertSealedView(Path p) throws IOException {
        assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .as(p.toString())
                .isTrue();
        assertThat(h.seal.verifiedKind(Marks.read(p), Sha256.of(p)))
                .as(p.getFileName() + " sealed")
                .isEqualTo(Seal.Kind.SAFE_VIEW);
    }

    private static void assertNoTaskFilesLeft() throws IOException {
        try (var s = Files.walk(h.state.resolve("tasks"))) {
            assertThat(s.filter(p -> !Files.isDirectory(p)).toList())
                    .as("task files left")
                    .isEmpty();
        }
    }

    // ---- making archives: zip with the JDK, tar by hand (ustar headers), so any name and member type can be made

    static void zip(Path file, Map<String, byte[]> members) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : members.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    /** One tar member: {@code type} '0' a file, '1' a hard link, '2' a symbolic link, '3' a character device. */
    record TarMember(String name, char type, String link, byte[] data) {
        static TarMember file(String name, byte[] data) {
            return new TarMember(name, '0', "", data);
        }
    }

    static void tarHeader(OutputStream out, String name, char type, String link, long size) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_700_000_000L));
        put(h, 148, "        ");
        h[156] = (byte) type;
        put(h, 157, link);
        put(h, 257, "ustar");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, at, b.length);
    }

    static void tarGz(Path file, List<TarMember> members) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (TarMember m : members) {
                tarHeader(out, m.name(), m.type(), m.link(), m.data().length);
                out.write(m.data());
                out.write(new byte[(512 - m.data().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        }
    }

    private static byte[] png() throws IOException {
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.ORANGE);
        g.fillRect(20, 20, 200, 100);
        g.dispose();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }

    /** A PDF (2 pages, JavaScript, link, embedded file), a docx, text, a PNG, a zip in the zip and a binary. */
    private static Map<String, byte[]> mixedMembers(Path dir) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>();
        Path pdf = ViewTaskTest.hostilePdf(dir, 2);
        m.put("docs/invoice.pdf", Files.readAllBytes(pdf));
        Files.delete(pdf);
        Path docx = TestDocuments.convert(dir, "report", "fodt", TestDocuments.text(""), "docx")
                .getFirst();
        m.put("docs/report.docx", Files.readAllBytes(docx));
        Files.delete(docx);
        m.put("notes.txt", "Remember the milk.\n".getBytes(StandardCharsets.UTF_8));
        m.put("photo.png", png());
        Path inner = dir.resolve("inner.zip");
        zip(inner, Map.of("deep.txt", "inside the inner zip\n".getBytes(StandardCharsets.UTF_8)));
        m.put("inner.zip", Files.readAllBytes(inner));
        Files.delete(inner);
        byte[] blob = new byte[4096];
        new java.util.Random(7).nextBytes(blob);
        blob[0] = 0;
        m.put("program.bin", blob);
        return m;
    }

    private static void assertMixedFolder(Path folder) throws IOException {
        assertThat(names(folder))
                .containsExactly(
                        "1-invoice.safe.pdf",
                        "2-report.safe.pdf",
                        "3-notes.safe.pdf",
                        "4-photo.safe.png",
                        "5-inner.safe",
                        "index.txt");
        ViewFormatsTest.assertPixelsOnly(folder.resolve("1-invoice.safe.pdf"), 2);
        ViewFormatsTest.assertPixelsOnly(folder.resolve("2-report.safe.pdf"), TestDocuments.TEXT_PAGES);
        ViewFormatsTest.assertPixelsOnly(folder.resolve("3-notes.safe.pdf"), 1);
        for (String n : List.of("1-invoice.safe.pdf", "2-report.safe.pdf", "4-photo.safe.png", "index.txt")) {
            assertSealedView(folder.resolve(n));
        }
        assertThat(names(folder.resolve("5-inner.safe"))).containsExactly("1-deep.safe.pdf", "index.txt");
        ViewFormatsTest.assertPixelsOnly(folder.resolve("5-inner.safe/1-deep.safe.pdf"), 1);
        String index = Files.readString(folder.resolve("index.txt"));
        assertThat(index)
                .contains("docs/invoice.pdf\n    -> viewed: 1-invoice.safe.pdf (2 page(s))")
                .contains("docs/report.docx\n    -> viewed: 2-report.safe.pdf (" + TestDocuments.TEXT_PAGES)
                .contains("inner.zip\n    -> opened: 5-inner.safe/ (1 viewed, 0 not viewed, 0 skipped")
                .containsPattern("program.bin\n    -> not viewed: .*application/octet-stream: open it without --view");
    }

    @Test
    void aZipAndATarGzOfMixedMembersGiveAFolderOfSafeViews() throws Exception {
        Path dir = TaskHarness.folder("mixed");
        Map<String, byte[]> members = mixedMembers(dir);
        Path zip = dir.resolve("mixed.zip");
        zip(zip, members);
        var r = h.view(POLICY, zip);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report()).contains("mixed.zip: 5 viewed, 1 not viewed, 0 skipped -> " + dir.resolve("mixed.safe"));
        assertMixedFolder(dir.resolve("mixed.safe"));

        List<TarMember> tar = new ArrayList<>();
        members.forEach((n, b) -> tar.add(TarMember.file(n, b)));
        Path tgz = dir.resolve("mixed.tar.gz");
        tarGz(tgz, tar);
        var t = h.view(POLICY, tgz);
        assertThat(t.code()).as(t.report()).isZero();
        // the zip's folder has the name: the tar's takes the next one, nothing is overwritten
        assertMixedFolder(dir.resolve("mixed.safe (isola 2)"));
        assertThat(names(dir)).containsExactly("mixed.safe", "mixed.safe (isola 2)", "mixed.tar.gz", "mixed.zip");
        assertNoTaskFilesLeft();
    }

    @Test
    void namesThatClimbOutAndLinksNeverWriteOutsideTheFolder() throws Exception {
        Path root = TaskHarness.folder("traversal");
        Path dir = Files.createDirectories(root.resolve("downloads"));
        String absolute = "/tmp/isola-absolute-" + ProcessHandle.current().pid() + ".txt";
        Map<String, byte[]> climbing = new LinkedHashMap<>();
        climbing.put("../escaped.txt", "up one\n".getBytes(StandardCharsets.UTF_8));
        climbing.put(absolute, "absolute\n".getBytes(StandardCharsets.UTF_8));
        climbing.put("a/../../../up.txt", "up three\n".getBytes(StandardCharsets.UTF_8));
        Path zip = dir.resolve("climb.zip");
        zip(zip, climbing);
        var r = h.view(POLICY, zip);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(names(dir.resolve("climb.safe")))
                .containsExactly(
                        "1-escaped.safe.pdf",
                        "2-" + Path.of(absolute).getFileName().toString().replace(".txt", ".safe.pdf"),
                        "3-up.safe.pdf",
                        "index.txt");

        Path tgz = dir.resolve("links.tar.gz");
        tarGz(
                tgz,
                List.of(
                        new TarMember("passwd", '2', "/etc/passwd", new byte[0]),
                        new TarMember("hard", '1', "/etc/shadow", new byte[0]),
                        new TarMember("tty", '3', "", new byte[0]),
                        TarMember.file("passwd", "written through the link?\n".getBytes(StandardCharsets.UTF_8)),
                        TarMember.file("../../tar-escaped.txt", "up two\n".getBytes(StandardCharsets.UTF_8))));
        var t = h.view(POLICY, tgz);
        assertThat(t.code()).as(t.report()).isZero();
        Path folder = dir.resolve("links.safe");
        assertThat(names(folder)).containsExactly("4-passwd.safe.pdf", "5-tar-escaped.safe.pdf", "index.txt");
        String index = Files.readString(folder.resolve("index.txt"));
        assertThat(index)
                .contains("passwd -> /etc/passwd\n    -> refused: a symbolic link (links are never followed)")
                .contains("hard -> /etc/shadow\n    -> refused: a hard link (links are never followed)")
                .contains("tty\n    -> refused: a device or special file");
        // nothing anywhere but the two folders; no link in them
        assertThat(names(root)).containsExactly("downloads");
        assertThat(names(dir)).containsExactly("climb.safe", "climb.zip", "links.safe", "links.tar.gz");
        assertThat(Path.of(absolute)).doesNotExist();
        try (var s = Files.walk(dir)) {
            assertThat(s.filter(Files::isSymbolicLink).toList()).isEmpty();
        }
        assertThat(Files.readString(Path.of("/etc/passwd"))).doesNotContain("written through the link");
        assertNoTaskFilesLeft();
    }

    /** A gigabyte of zeros: a few megabytes packed. */
    private static void zeros(OutputStream out) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 1024; i++) {
            out.write(zeros);
        }
    }

    private void assertRefusedAsBomb(Path file) throws IOException {
        var r = h.view(POLICY, file);
        assertThat(r.code()).as(r.report()).isEqualTo(-1); // the harness's code for a refusal (the CLI exits 3)
        String last = r.report().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last)
                .startsWith("isola: " + file.getFileName() + " was refused: ")
                .contains("(a decompression bomb?)")
                .endsWith("; nothing was made");
        assertThat(names(file.getParent())).containsExactly(file.getFileName().toString());
        assertNoTaskFilesLeft();
    }

    @Test
    void aZipBombAndATarBombAreRefusedClearlyAndLeaveNothing() throws Exception {
        Path dir = TaskHarness.folder("bombs");
        Path zip = dir.resolve("bomb.zip");
        try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.setLevel(9);
            out.putNextEntry(new ZipEntry("zeros.bin"));
            zeros(out);
            out.closeEntry();
        }
        assertRefusedAsBomb(zip);
        Files.delete(zip);

        Path tgz = dir.resolve("bomb.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz), 1 << 16)) {
            tarHeader(out, "zeros.bin", '0', "", 1L << 30);
            zeros(out);
            out.write(new byte[1024]);
        }
        assertThat(Files.size(tgz)).isLessThan(8 << 20);
        assertRefusedAsBomb(tgz);
        Files.delete(tgz);

        // one compressed file declares no size at all: refused while it inflates
        Path gz = dir.resolve("zeros.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16)) {
            zeros(out);
        }
        assertRefusedAsBomb(gz);
        Files.delete(gz);

        // a bomb of members: more than an archive may hold, each empty
        List<TarMember> many = new ArrayList<>();
        for (int i = 0; i <= ContainerView.MAX_MEMBERS; i++) {
            many.add(TarMember.file("f" + i, new byte[0]));
        }
        Path lots = dir.resolve("many.tar.gz");
        tarGz(lots, many);
        assertRefusedAsBomb(lots);
    }

    @Test
    void aBombInsideAnArchiveIsOneLineOfItsIndexAndTheRestIsViewed() throws Exception {
        Path dir = TaskHarness.folder("innerbomb");
        Path bomb = dir.resolve("bomb.zip");
        try (var out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            out.setLevel(9);
            out.putNextEntry(new ZipEntry("zeros.bin"));
            zeros(out);
            out.closeEntry();
        }
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("readme.txt", "read me\n".getBytes(StandardCharsets.UTF_8));
        members.put("bomb.zip", Files.readAllBytes(bomb));
        Files.delete(bomb);
        Path zip = dir.resolve("outer.zip");
        zip(zip, members);
        var r = h.view(POLICY, zip);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report()).contains("outer.zip: 1 viewed, 1 not viewed, 0 skipped -> ");
        Path folder = dir.resolve("outer.safe");
        assertThat(names(folder)).containsExactly("1-readme.safe.pdf", "index.txt");
        assertThat(Files.readString(folder.resolve("index.txt")))
                .contains("bomb.zip\n    -> refused: member 'zeros.bin' unpacks to more than 100 MiB (a decompression "
                        + "bomb?)");
        assertNoTaskFilesLeft();
    }

    private static String attachment(String boundary, String type, String name, byte[] data) {
        return "--" + boundary + "\r\nContent-Type: " + type + "; name=" + name + "\r\n"
                + "Content-Disposition: attachment; filename=" + name + "\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(data) + "\r\n";
    }

    @Test
    void aMessageWithTwoAttachmentsGetsTwoSafeViewsBesideItsOwn() throws Exception {
        Path dir = TaskHarness.folder("letter");
        Path pdf = ViewTaskTest.hostilePdf(dir, 2);
        byte[] pdfBytes = Files.readAllBytes(pdf);
        Files.delete(pdf);
        String eml = "From: Bank <bank@example.com>\r\nTo: me@example.com\r\nSubject: Your invoice\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
                + "--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the invoice attached.\r\n"
                + attachment("b0", "application/pdf", "invoice.pdf", pdfBytes)
                + attachment("b0", "image/png", "logo.png", png())
                + "--b0--\r\n";
        Path file = Files.writeString(dir.resolve("letter.eml"), eml);
        var r = h.view(POLICY, file);
        assertThat(r.code()).as(r.report()).isZero();
        Path folder = dir.resolve("letter.safe");
        assertThat(names(folder))
                .containsExactly("1-invoice.safe.pdf", "2-logo.safe.png", "index.txt", "message.safe.pdf");
        ViewFormatsTest.assertPixelsOnly(folder.resolve("message.safe.pdf"), 1);
        ViewFormatsTest.assertPixelsOnly(folder.resolve("1-invoice.safe.pdf"), 2);
        for (String n : names(folder)) {
            assertSealedView(folder.resolve(n));
        }
        assertThat(Files.readString(folder.resolve("index.txt")))
                .contains("the message: viewed: message.safe.pdf (1 page(s))")
                .contains("invoice.pdf\n    -> viewed: 1-invoice.safe.pdf (2 page(s))");
        assertNoTaskFilesLeft();
    }

    @Test
    void hundredsOfNestedMessagesEndBoundedWithAClearLine() throws Exception {
        Path dir = TaskHarness.folder("nested");
        StringBuilder nested = new StringBuilder("Subject: innermost\r\n\r\nhello\r\n");
        for (int i = 0; i < 300; i++) {
            nested = new StringBuilder("Subject: level " + i + "\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: multipart/mixed; boundary=n" + i + "\r\n\r\n--n" + i
                    + "\r\nContent-Type: text/plain\r\n\r\nlevel " + i + "\r\n"
                    + attachment("n" + i, "text/plain", "note" + i + ".txt", ("note " + i + "\n").getBytes())
                    + "--n" + i + "\r\nContent-Type: message/rfc822\r\n\r\n" + nested + "\r\n--n" + i + "--\r\n");
        }
        Path file = Files.writeString(dir.resolve("chain.eml"), nested);
        var r = h.view(POLICY, file);
        assertThat(r.code()).as(r.report()).isZero();
        assertThat(r.report()).contains("chain.eml: 6 viewed, 0 not viewed, 1 skipped -> ");
        Path one = dir.resolve("chain.safe");
        assertThat(names(one)).containsExactly("1-note299.safe.pdf", "2-message.safe", "index.txt", "message.safe.pdf");
        Path two = one.resolve("2-message.safe");
        assertThat(names(two)).containsExactly("1-note298.safe.pdf", "2-message.safe", "index.txt", "message.safe.pdf");
        Path three = two.resolve("2-message.safe");
        assertThat(names(three)).containsExactly("1-note297.safe.pdf", "index.txt", "message.safe.pdf");
        assertThat(Files.readString(three.resolve("index.txt")))
                .contains("message.eml\n    -> skipped: message/rfc822 nested more than " + ContainerView.MAX_DEPTH
                        + " deep (the bound on containers in containers)");
        assertNoTaskFilesLeft();
    }

    @Test
    void theVmEngineRefusesAnArchiveInOneLine() throws Exception {
        Path dir = TaskHarness.folder("vmzip");
        Path zip = dir.resolve("a.zip");
        zip(zip, Map.of("a.txt", "a\n".getBytes(StandardCharsets.UTF_8)));
        var r = h.view(POLICY + "[level.untrusted]\nengine = \"vm\"\n", zip);
        assertThat(r.report().strip())
                .endsWith("isola: the vm engine's image carries no Python, which application/zip needs: view it at a "
                        + "level whose engine is \"sandbox\" (its cells see the host's packages)");
        assertThat(names(dir)).containsExactly("a.zip");
    }
}
