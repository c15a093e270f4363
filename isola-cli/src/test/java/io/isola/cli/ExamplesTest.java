package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.cli.args.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every example a person meets first, in README.md's tour and in each command's --help, run as written from a folder
 * that holds the files it names: the first thing someone copies must work. An example that cannot run here (it needs
 * QEMU, or takes minutes) is listed with the reason; a new example with neither a check nor a reason fails the build.
 */
@Tag("kernel")
class ExamplesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Map<String, String> NOT_HERE = Map.of(
            "isola image build && isola run --engine vm -- uname -r", "needs QEMU and minutes: VmCliTest runs it",
            "isola bench", "takes minutes: the bench module's tests and dev/bench run it",
            "isola open --window invoice.pdf",
                    "needs a display and a person to close the window: WindowTaskTest runs it under Xvfb",
            "isola run --window -- xedit",
                    "needs a display and a person to close the window: RunWindowCliTest runs it under Xvfb",
            "isola open --window https://example.com/",
                    "needs a display and a real web host: WindowTaskTest opens a link of its own test host",
            "isola quarantine release TASK --to ~/in",
                    "TASK stands for a task's id: QuarantineCliTest releases real ones");
    static Path state, here, home, cd;
    static Cli cli;
    static ReadOnlyFolder readOnly;

    @BeforeAll
    static void setUp() throws IOException {
        state = Files.createTempDirectory("isola-examples-state");
        Path base = Files.createDirectories(Path.of("target/examples").toAbsolutePath());
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        here = Files.createTempDirectory(base, "here");
        home = Files.createTempDirectory(base, "home");
        for (Path d : List.of(here, home)) { // a person's folders, readable by the cell's user as by anyone's
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.write(here.resolve("invoice.pdf"), pdf("Invoice 42: total 99.50"));
        Files.writeString(here.resolve("notes.txt"), "call the bank\n");
        Files.write(here.resolve("report.pdf"), pdf("Quarterly report"));
        Files.writeString(here.resolve("My Notes.txt"), "notes from a file URL\n");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(here.resolve("photos.zip")))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("holiday/report.pdf"));
            zip.write(pdf("A report in an archive"));
            zip.putNextEntry(new java.util.zip.ZipEntry("holiday/notes.txt"));
            zip.write("the beach\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Files.write(here.resolve("scan.pdf"), pdf("Scanned letter from the bank"));
        // an encrypted PDF and its password in a file, as a person keeps them (qpdf, which the safe view uses too)
        Files.write(here.resolve("plain-locked.pdf"), pdf("Locked statement"));
        Files.writeString(home.resolve(".pw"), "s3cret\n");
        Files.writeString(home.resolve(".invoice-password"), "s3cret\n");
        Process qpdf = new ProcessBuilder(
                        "qpdf",
                        "--encrypt",
                        "s3cret",
                        "owner-s3cret",
                        "256",
                        "--",
                        here.resolve("plain-locked.pdf").toString(),
                        here.resolve("locked.pdf").toString())
                .inheritIO()
                .start();
        try {
            assertThat(qpdf.waitFor()).isZero();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        Path out = Files.createDirectories(here.resolve("out"));
        Files.writeString(out.resolve("Makefile"), "all:\n\t@echo built in $(CURDIR)\n");
        Files.setAttribute(out, "unix:uid", 65534); // a folder of the person who runs the --rw example
        Files.write(Files.createDirectories(home.resolve("Downloads")).resolve("report.pdf"), pdf("Downloaded report"));
        Files.createDirectories(home.resolve("Documents"));
        readOnly = new ReadOnlyFolder(
                base.resolve("cd-" + here.getFileName()),
                Map.of("invoice.pdf", new String(pdf("Invoice 42 from a CD"), StandardCharsets.ISO_8859_1)));
        cd = readOnly.dir;
        cli = new Cli(state);
    }

    @AfterAll
    static void tearDown() throws IOException {
        readOnly.close();
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(here);
        Cleanup.deleteTree(home);
    }

    /** What each example must do; the key is the example as written. */
    static Map<String, Consumer<Cli.Result>> checks() {
        Map<String, Consumer<Cli.Result>> c = new LinkedHashMap<>();
        c.put("isola open invoice.pdf", r -> assertThat(r.out()).contains("Invoice 42: total 99.50"));
        c.put(
                "isola open --view invoice.pdf",
                r -> assertThat(r.err()).contains("-> " + here.resolve("invoice.safe.pdf")));
        c.put(
                "isola open --view invoice.pdf notes.txt",
                r -> assertThat(r.err()).contains("invoice.safe.pdf", "-> " + here.resolve("notes.safe.pdf")));
        c.put("isola open --view photos.zip", r -> {
            assertThat(r.err())
                    .contains("photos.zip: 2 viewed, 0 not viewed, 0 skipped -> " + here.resolve("photos.safe"));
            assertThat(here.resolve("photos.safe/1-report.safe.pdf")).isRegularFile();
            assertThat(here.resolve("photos.safe/2-notes.safe.pdf")).isRegularFile();
            assertThat(here.resolve("photos.safe/index.txt")).isRegularFile();
        });
        c.put(
                "isola open --view --ocr eng+deu scan.pdf",
                r -> assertThat(r.err()).contains("-> " + here.resolve("scan.safe.pdf")));
        c.put(
                "isola open --view --password-file ~/.pw locked.pdf",
                r -> assertThat(r.err()).contains("-> " + here.resolve("locked.safe.pdf")));
        c.put(
                "isola open --view --password-file ~/.invoice-password invoice.pdf",
                r -> assertThat(r.err()).contains("invoice.safe.pdf"));
        c.put(
                "isola open --view --open invoice.pdf",
                r -> assertThat(r.err()).contains("invoice.safe.pdf", "no display"));
        Consumer<Cli.Result> toDocuments =
                r -> assertThat(home.resolve("Documents/invoice.safe.pdf")).isRegularFile();
        c.put("isola open --view --output ~/Documents /media/cd/invoice.pdf", toDocuments);
        c.put("isola open --view --output ~/Documents /media/cdrom/invoice.pdf", toDocuments);
        // ISOLA_DNS names a port where nothing answers: the proxy refuses the name it cannot resolve, and says so.
        Consumer<Cli.Result> refused = r -> assertThat(r.err())
                .contains(
                        "the fetch was refused by the network " + "policy: example.com:443",
                        "no-such-name",
                        "isola net explain example.com:443 --level untrusted");
        c.put("isola open https://example.com/a.pdf", refused);
        c.put("isola open https://example.com/file.pdf", refused);
        c.put(
                "isola open file:///home/me/My%20Notes.txt",
                r -> assertThat(r.out()).isEqualTo("notes from a file URL\n"));
        c.put("isola trust explain invoice.pdf", r -> assertThat(r.out()).contains("untrusted"));
        c.put(
                "isola trust explain invoice.pdf --json",
                r -> assertThat(r.out()).startsWith("{").contains("untrusted"));
        c.put(
                "isola policy check examples/policy.toml",
                r -> assertThat(r.out()).contains("ok"));
        c.put("isola quarantine list", r -> assertThat(r.code()).isZero());
        c.put(
                "isola net explain https://wiki.corp.example.com/ --level trusted",
                r -> assertThat(r.out() + r.err()).contains("wiki.corp.example.com"));
        c.put("isola run -- /bin/sh -c 'id; ls /home; cat /etc/shadow'", r -> {
            assertThat(r.out()).contains("uid=1000(user)", "user");
            assertThat(r.err()).contains("/etc/shadow");
        });
        Consumer<Cli.Result> report = r -> assertThat(r.out()).contains("report");
        c.put("isola run --ro ~/Downloads/report.pdf -- pdftotext ~/Downloads/report.pdf -", report);
        c.put("isola run --ro ./report.pdf -- pdftotext report.pdf -", report);
        c.put(
                "isola run --rw ./out --timeout 30s --memory 256M -- make -C ./out",
                r -> assertThat(r.out()).contains("built in " + here.resolve("out") + "\n"));
        c.put(
                "isola run --env LANG --env MODE=safe -- env",
                r -> assertThat(r.out()).contains("MODE=safe", "LANG=C.UTF-8"));
        c.put("isola doctor", r -> assertThat(r.out()).isNotEmpty());
        c.put(
                "isola run --net internet -- curl -sI https://example.com/",
                r -> assertThat(r.code()).isEqualTo(56));
        return c;
    }

    /** The exit codes an example may end with: most succeed; some say no by design. */
    static int expectedCode(String example) {
        if (example.startsWith("isola open http") || example.contains("--net internet")) {
            return -1; // any failure: the fetch is refused
        }
        if (example.startsWith("isola trust explain")) {
            return 1; // untrusted
        }
        if (example.contains("cat /etc/shadow")) {
            return 1; // the cell has no shadow file
        }
        if (example.equals("isola doctor") || example.startsWith("isola net explain")) {
            return -2; // 0 or 1, by what the machine has
        }
        return 0;
    }

    @Test
    void everyTourExampleInTheReadmeWorksAsWritten() throws IOException {
        List<String> examples = new ArrayList<>();
        boolean inTour = false, inBlock = false;
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            if (line.startsWith("## ")) {
                inTour = line.equals("## A short tour");
            } else if (inTour && line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (inTour && inBlock && line.startsWith("bin/isola ")) {
                String cmd = line.replaceFirst("\\s+#.*$", "").replace("bin/isola", "isola");
                examples.add(cmd);
            }
        }
        assertThat(examples).hasSizeGreaterThan(8);
        runAll(examples);
    }

    @Test
    void everyExampleInEveryCommandsHelpWorksAsWritten() {
        List<String> examples = new ArrayList<>();
        for (Command c : Main.commands()) {
            boolean in = false;
            for (String line : c.description()) {
                if (line.startsWith("Example")) {
                    in = true;
                    line = line.substring(line.indexOf(':') + 1);
                }
                if (in && line.strip().startsWith("isola ")) {
                    examples.add(line.strip());
                }
            }
        }
        assertThat(examples).hasSizeGreaterThan(4);
        runAll(examples);
    }

    @Test
    void aTaskStartsInTheCallersDirectoryOnlyWhenTheCellCanSeeIt() {
        Map<String, String> env = env("");
        assertThat(cli.run(here, env, null, "run", "--", "pwd").out()).isEqualTo("/home/user\n");
        assertThat(cli.run(here, env, null, "run", "--ro", ".", "--", "pwd").out())
                .isEqualTo(here + "\n");
        assertThat(cli.run(here, env, null, "run", "--ro", "report.pdf", "--", "pwd")
                        .out())
                .isEqualTo(here + "\n");
        assertThat(cli.run(here.resolve("out"), env, null, "run", "--ro", here.toString(), "--", "pwd")
                        .out())
                .isEqualTo(here.resolve("out") + "\n");
        assertThat(cli.run(here, env, null, "run", "--ro", "/usr/share/doc", "--", "pwd")
                        .out())
                .isEqualTo("/home/user\n");
        assertThat(cli.run(here, env, null, "run", "--ro", ".", "-C", "/tmp", "--", "pwd")
                        .out())
                .isEqualTo("/tmp\n");
    }

    private void runAll(List<String> examples) {
        Map<String, Consumer<Cli.Result>> checks = checks();
        for (String example : examples) {
            if (NOT_HERE.containsKey(example)) {
                System.out.println("not run here: " + example + ": " + NOT_HERE.get(example));
                continue;
            }
            assertThat(checks)
                    .as("a check for the example '%s' (or a reason in NOT_HERE)", example)
                    .containsKey(example);
            Cli.Result r = cli.run(
                    here,
                    env(example),
                    null,
                    words(example).subList(1, words(example).size()).toArray(String[]::new));
            int want = expectedCode(example);
            if (want == -1) {
                assertThat(r.code()).as(example + ": " + r.err()).isNotZero();
            } else if (want == -2) {
                assertThat(r.code()).as(example + ": " + r.err()).isIn(0, 1);
            } else {
                assertThat(r.code()).as(example + ": " + r.err()).isEqualTo(want);
            }
            checks.get(example).accept(r);
            cleanSafeViews();
        }
    }

    /**
     * A person's shell: their home, no display, a locale; no policy of theirs, so the built-in one applies. A cell
     * writes to a --rw folder as the person who ran isola through sudo: that example runs so, as nobody.
     */
    private static Map<String, String> env(String example) {
        Map<String, String> env = new HashMap<>();
        if (example.contains("--rw")) {
            env.putAll(Map.of("SUDO_USER", "nobody", "SUDO_UID", "65534", "SUDO_GID", "65534"));
        }
        env.put("HOME", home.toString());
        env.put("DISPLAY", "");
        env.put("WAYLAND_DISPLAY", "");
        env.put("LANG", "C.UTF-8");
        env.put("ISOLA_DNS", "127.0.0.1:9"); // nothing answers there: no example sends a query off this machine
        return env;
    }

    /** Each example starts from the folder as set up: a view made by one is not found by the next. */
    private static void cleanSafeViews() {
        for (Path dir : List.of(here, home.resolve("Documents"))) {
            try (var s = Files.list(dir)) {
                for (Path p : s.filter(p -> p.getFileName().toString().contains(".safe"))
                        .toList()) {
                    Cleanup.deleteTree(p); // a file, or an archive's folder of views
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * The words a shell makes of an example: split at blanks, single quotes kept together, {@code ~} as the home,
     * and the places the examples name outside this folder (a CD, another person's home, the repository's
     * examples) mapped to the ones made here.
     */
    static List<String> words(String example) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (char ch : example.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted;
                any = true;
            } else if (ch == ' ' && !quoted) {
                if (any) {
                    out.add(place(w.toString()));
                }
                w.setLength(0);
                any = false;
            } else {
                w.append(ch);
                any = true;
            }
        }
        if (any) {
            out.add(place(w.toString()));
        }
        return out;
    }

    private static String place(String word) {
        if (word.startsWith("~/")) {
            return home + word.substring(1);
        }
        if (word.startsWith("/media/cd/") || word.startsWith("/media/cdrom/")) {
            return cd.resolve(word.substring(word.lastIndexOf('/') + 1)).toString();
        }
        if (word.startsWith("file:///home/me/")) {
            return "file://" + here.toUri().getRawPath() + word.substring("file:///home/me/".length());
        }
        if (word.equals("examples/policy.toml")) {
            return ROOT.resolve(word).toString();
        }
        return word;
    }

    /** A one-page PDF whose text pdftotext reads back: the least a real document is. */
    static byte[] pdf(String text) {
        String content = "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET\n";
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                        + "/Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + content.length() + " >>\nstream\n" + content + "endstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        StringBuilder b = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(b.length());
            b.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = b.length();
        b.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        for (int o : offsets) {
            b.append(String.format("%010d 00000 n \n", o));
        }
        b.append("trailer << /Size ")
                .append(objects.size() + 1)
                .append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref)
                .append("\n%%EOF\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
