package io.isola.bench;

import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Persister;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.sandbox.SandboxEngine;
import io.isola.task.TaskContext;
import io.isola.task.TaskDirs;
import io.isola.task.TypeDetector;
import io.isola.task.ViewTask;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tasks end to end, from a shell: how long from issuing {@code isola open} until the handler runs in its cell, and
 * what the safe view costs beyond running its renderer directly on the host.
 */
final class OpenBench implements AutoCloseable {
    private final Bench.Config config;
    private final Report report;
    private final Path work;
    private final Map<String, String> env;

    private final SandboxEngine engine;

    OpenBench(Bench.Config config, Report report, SandboxEngine engine) throws IOException {
        this.config = config;
        this.report = report;
        this.engine = engine;
        this.work = Files.createTempDirectory("isola-bench-open");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path policy = Files.writeString(work.resolve("policy.toml"), """
                version = 1
                [level.untrusted.handlers]
                "*" = ["/bin/date", "+%s%N"]
                """);
        this.env = Map.of(
                "ISOLA_STATE_DIR",
                config.stateDir().toString(),
                "ISOLA_POLICY",
                policy.toString(),
                "PATH",
                "/usr/bin:/bin");
    }

    @Override
    public void close() throws IOException {
        io.isola.core.FileTrees.delete(work);
    }

    /** Issuing the command to the handler's first instruction: the handler prints the wall clock it started at. */
    void handlerLatency() throws IOException {
        TypeDetector.preload();
        Path doc = Files.writeString(work.resolve("doc.txt"), "a document\n");
        String isola = config.launcher().toString();
        List<String> open = List.of(isola, "open", doc.toString());
        List<String> run = List.of(isola, "run", "--", "/bin/date", "+%s%N");
        List<String> direct = List.of("/bin/date", "+%s%N");
        int n = config.slowRuns();
        long[] a = new long[n], b = new long[n], c = new long[n];
        startedAfter(open);
        for (int i = 0; i < n; i++) {
            a[i] = startedAfter(open);
            b[i] = startedAfter(run);
            c[i] = startedAfter(direct);
        }
        report.section(
                "From issuing the command to the handler running in its cell, JVM start included (" + n + " runs)",
                "isola run");
        Stats base = new Stats("isola run -- /bin/date", Peers.shell(run), b);
        report.row(new Stats("fork/exec of the handler", Peers.shell(direct), c), base);
        report.row(base, base);
        Stats task = new Stats(
                "isola open doc.txt (handler /bin/date)",
                Peers.shell(open) + " (snapshot, Tika type, policy, trust, cell, harvest)",
                a);
        report.row(task, base);
    }

    /** Nanoseconds from spawning {@code argv} to the wall-clock time it prints (a handler running /bin/date). */
    private long startedAfter(List<String> argv) throws IOException {
        Path out = work.resolve("started");
        long t0 = Processes.spawnedAt(argv, env, out);
        return Long.parseLong(Files.readString(out).trim()) - t0;
    }

    /**
     * {@code isola open --view} against pdftoppm run directly with the same flags, for 1 and 20 pages: in a warm JVM
     * (the isolation overhead proper: snapshot, type, trust, cell, harvest, rebuild, seal) and from a shell.
     */
    void safeView() throws IOException, InterruptedException {
        TaskContext ctx = context();
        for (int pages : new int[] {1, 20}) {
            Path dir = Files.createDirectories(work.resolve("view-" + pages));
            Path pdf = SamplePdf.write(dir.resolve("report.pdf"), pages);
            Path pixels = Files.createDirectories(work.resolve("pixels-" + pages));
            List<String> direct = List.of(
                    "/usr/bin/pdftoppm",
                    "-r",
                    "100",
                    "-scale-to",
                    String.valueOf(io.isola.view.SafeView.PDFTOPPM_LONG_SIDE),
                    pdf.toString(),
                    pixels.resolve("page").toString());
            List<String> isola = List.of(config.launcher().toString(), "open", "--view", pdf.toString());
            int n = pages == 1 ? config.slowRuns() : Math.max(5, config.slowRuns() / 3);
            long[] a = new long[n], b = new long[n], w = new long[n];
            view(isola, dir);
            for (int i = 0; i < 3; i++) {
                inProcess(ctx, pdf, dir);
            }
            for (int i = 0; i < n; i++) {
                b[i] = Processes.time(direct, Map.of());
                w[i] = inProcess(ctx, pdf, dir);
                a[i] = view(isola, dir);
            }
            report.section(
                    "Safe view of a " + pages + "-page PDF, end to end (" + n + " runs)", "the renderer on the host");
            Stats base = new Stats("pdftoppm directly on the host (renderer only)", Peers.shell(direct), b);
            report.row(base, base);
            Stats warm = new Stats(
                    "isola safe view in a warm JVM (cell renders, host rebuilds a clean PDF)",
                    "ViewTask.run(report.pdf), sandbox engine, built-in policy",
                    w);
            report.row(warm, base);
            Stats cli = new Stats("isola open --view from a shell, JVM start included", Peers.shell(isola), a);
            report.row(cli, base);
            double overhead = warm.medianMs() - base.medianMs();
            report.note(String.format(
                    "Isolation overhead for %d page(s): %.0f ms above the renderer's own time in "
                            + "a warm JVM (%.2fx); %.0f ms from a shell, where the JVM's start and the engine's are paid "
                            + "too.",
                    pages, overhead, warm.medianMs() / base.medianMs(), cli.medianMs() - base.medianMs()));
            if (pages == 20) {
                report.target(
                        "safe view of a 20-page PDF <= 1.5x pdftoppm on the host (warm JVM)",
                        warm.medianMs() / base.medianMs(),
                        1.5,
                        "x");
            }
            if (pages == 1) {
                report.target(
                        "safe view of a 1-page PDF, isolation overhead above the renderer <= 100 ms (warm JVM)",
                        overhead,
                        100,
                        "ms");
            }
        }
    }

    /**
     * A 3-page Word document (made here by the host's LibreOffice from text with form feeds): the safe view, where
     * LibreOffice converts it in a cell with a fresh profile and pdftoppm renders the PDF, beside LibreOffice converting
     * it to PDF on the host with a profile it keeps between runs, as a person's would.
     */
    void officeView() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("office"));
        Path home = Files.createDirectories(work.resolve("office-home"));
        Path txt = Files.writeString(dir.resolve("memo.txt"), "Page one of the memo\n\fPage two\n\fPage three\n");
        Map<String, String> soffice = Map.of("HOME", home.toString(), "PATH", "/usr/bin:/bin");
        Processes.time(
                List.of(
                        "/usr/bin/soffice",
                        "--headless",
                        "--convert-to",
                        "docx",
                        "--outdir",
                        dir.toString(),
                        txt.toString()),
                soffice);
        Files.delete(txt);
        Path docx = dir.resolve("memo.docx");
        Path pdfs = Files.createDirectories(work.resolve("office-pdf"));
        List<String> direct = List.of(
                "/usr/bin/soffice", "--headless", "--convert-to", "pdf", "--outdir", pdfs.toString(), docx.toString());
        TaskContext ctx = context();
        int n = Math.max(5, config.slowRuns() / 3);
        long[] b = new long[n], w = new long[n];
        Processes.time(direct, soffice); // the host's profile is made once, as a person's is
        inProcess(ctx, docx, dir);
        for (int i = 0; i < n; i++) {
            b[i] = Processes.time(direct, soffice);
            w[i] = inProcess(ctx, docx, dir);
        }
        report.section("Safe view of a 3-page docx (" + n + " runs)", "LibreOffice on the host");
        Stats base =
                new Stats("soffice --headless --convert-to pdf on the host (its profile kept)", Peers.shell(direct), b);
        report.row(base, base);
        Stats warm = new Stats(
                "isola safe view in a warm JVM (LibreOffice and pdftoppm in a cell, host rebuilds a clean PDF)",
                "ViewTask.run(memo.docx), sandbox engine, built-in policy",
                w);
        report.row(warm, base);
        report.target(
                "safe view of a 3-page docx <= 1.5x soffice --convert-to pdf on the host (warm JVM)",
                warm.medianMs() / base.medianMs(),
                1.5,
                "x");
    }

    /**
     * {@code isola open --view --ocr} of a 1-page scan (a PDF of one page image, made here from the sample report's
     * pixels, so it has no text of its own) beside Tesseract on the host reading the same page image: as a person runs
     * it, and with one thread ({@code OMP_THREAD_LIMIT=1}, as the cell runs it: its OpenMP threads fight each other on a
     * busy 2-core machine). The target is judged against the faster of the two.
     */
    void ocrView() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("ocr"));
        Path pixels = Files.createDirectories(work.resolve("ocr-pixels"));
        Path sample = SamplePdf.write(pixels.resolve("report.pdf"), 1);
        Processes.time(
                List.of(
                        "/usr/bin/pdftoppm",
                        "-r",
                        "100",
                        "-scale-to",
                        String.valueOf(io.isola.view.SafeView.PDFTOPPM_LONG_SIDE),
                        sample.toString(),
                        pixels.resolve("page").toString()),
                Map.of());
        Path image = pixels.resolve("page-1.ppm");
        Path scan = dir.resolve("scan.pdf");
        io.isola.view.CleanPdf.write(List.of(io.isola.view.Pixmap.read(image, 1L << 24)), scan);
        List<String> direct = List.of(
                "/usr/bin/tesseract",
                image.toString(),
                pixels.resolve("words").toString(),
                "--dpi",
                String.valueOf(io.isola.view.SafeView.PDFTOPPM_DPI),
                "-l",
                "eng",
                "tsv");
        Map<String, String> asIs = Map.of("PATH", "/usr/bin:/bin");
        Map<String, String> oneThread = Map.of("PATH", "/usr/bin:/bin", "OMP_THREAD_LIMIT", "1");
        TaskContext ctx = context();
        ViewTask.Options ocr = ViewTask.Options.DEFAULT.withOcr("eng");
        int n = Math.max(5, config.slowRuns() / 3);
        long[] a = new long[n], b = new long[n], w = new long[n];
        Processes.time(direct, oneThread);
        inProcess(ctx, scan, dir, ocr);
        for (int i = 0; i < n; i++) {
            a[i] = Processes.time(direct, asIs);
            b[i] = Processes.time(direct, oneThread);
            w[i] = inProcess(ctx, scan, dir, ocr);
        }
        report.section("Safe view with --ocr of a 1-page scan (" + n + " runs, interleaved)", "the faster Tesseract");
        Stats plain = new Stats("tesseract on the host, as installed (OpenMP threads)", Peers.shell(direct), a);
        Stats single = new Stats(
                "tesseract on the host, one thread (OMP_THREAD_LIMIT=1, as in the cell)",
                "OMP_THREAD_LIMIT=1 " + Peers.shell(direct),
                b);
        Stats base = plain.medianMs() < single.medianMs() ? plain : single;
        report.row(plain, base);
        report.row(single, base);
        Stats warm = new Stats(
                "isola safe view --ocr in a warm JVM (pdftoppm and tesseract in a cell, host writes the text layer)",
                "ViewTask.run(scan.pdf, --ocr eng), sandbox engine, built-in policy",
                w);
        report.row(warm, base);
        report.target(
                "safe view --ocr of a 1-page scan <= 1.3x tesseract on the host (warm JVM)",
                warm.medianMs() / base.medianMs(),
                1.3,
                "x");
    }

    private TaskContext context() throws IOException {
        Path state = config.stateDir();
        Seal seal = Seal.open(state.resolve("seal.key"));
        Policy policy = PolicyFile.builtIn(work);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return new TaskContext(
                policy,
                new TrustClassifier(policy, seal),
                seal,
                name -> engine,
                new Persister(
                        state.resolve("quarantine"),
                        state.resolve("quarantine"),
                        seal,
                        new int[] {0, 0},
                        io.isola.core.output.FileCreator.ISOLA),
                AuditLog.open(state.resolve("audit.jsonl")),
                new TaskDirs(state.resolve("tasks")),
                Map.of(),
                quiet);
    }

    private long inProcess(TaskContext ctx, Path pdf, Path dir) throws IOException, InterruptedException {
        return inProcess(ctx, pdf, dir, ViewTask.Options.DEFAULT);
    }

    private long inProcess(TaskContext ctx, Path pdf, Path dir, ViewTask.Options options)
            throws IOException, InterruptedException {
        Path nul = Path.of("/dev/null");
        long t0 = System.nanoTime();
        int code = new ViewTask(ctx).run(pdf, options, Stdio.files(nul, nul, nul));
        long t = System.nanoTime() - t0;
        if (code != 0) {
            throw new IllegalStateException("the safe view of " + pdf + " failed with " + code);
        }
        clean(dir);
        return t;
    }

    private long view(List<String> argv, Path dir) throws IOException {
        long t = Processes.time(argv, env);
        clean(dir);
        return t;
    }

    private static void clean(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : new ArrayList<>(s.toList())) {
                if (p.getFileName().toString().contains(".safe")) {
                    Files.delete(p);
                }
            }
        }
    }
}
