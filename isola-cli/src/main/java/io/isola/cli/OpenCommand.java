package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.Stdio;
import io.isola.service.Protocol;
import io.isola.task.LinkTask;
import io.isola.task.OpenTask;
import io.isola.task.ViewTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code isola open}: a file or link as a task in a new cell, as the policy says. */
final class OpenCommand implements Command {
    private static final Option VIEW =
            Option.flag("--view", "safe view: render to pixels in the cell, rebuild a " + "clean PDF or PNG outside");
    private static final Option OUTPUT = Option.value(
            "--output",
            "DIR",
            "where the safe view goes (default: beside "
                    + "the original; if that folder cannot be written, the current directory, else your home)");
    private static final Option SHOW = Option.flag(
            "--open",
            "then show the safe view in your viewer (xdg-open, as " + "you, never as root), when you have a display");
    private static final Option WINDOW = Option.flag(
            "--window",
            "show the type's graphical program (the policy's window-handlers: mupdf, LibreOffice, xedit, dillo for"
                    + " links) from"
                    + " its cell in an Isola window on your display; closing the window ends the task");
    private static final Option POLICY = Option.value(
            "--policy",
            "FILE",
            "policy file (default: ~/.config/isola/" + "policy.toml, /etc/isola/policy.toml, or built-in)");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (or ISOLA_STATE_DIR)");
    private static final Option MAX_PAGES =
            Option.value("--max-pages", "N", "render at most the first N pages of a document (default and most: 1000)");
    private static final Option QUALITY = Option.value(
            "--quality", "draft|normal", "pages of a safe view at 100 dpi (about half the size) or 150 dpi (default)");
    private static final Option OCR = Option.optional(
            "--ocr",
            "LANGS",
            "give the safe PDF a searchable text layer read from its pixels by Tesseract in the cell (default eng;"
                    + " e.g. --ocr eng+deu)");
    private static final Option PASSWORD_FILE = Option.value(
            "--password-file",
            "FILE",
            "an encrypted PDF's password: the first line of FILE (never on the command line)");
    private static final List<Option> OPTIONS = List.of(
            VIEW, OUTPUT, SHOW, WINDOW, MAX_PAGES, QUALITY, OCR, PASSWORD_FILE, POLICY, STATE, DaemonClient.NO_DAEMON);

    private boolean view;
    /** Tesseract's languages for --ocr, or null. */
    private String ocr;

    private Path passwordFile;
    private List<String> targets = List.of();
    private int maxPages = io.isola.view.SafeView.Limits.DEFAULT.maxPages();
    private ViewTask.Quality quality = ViewTask.Quality.NORMAL;
    private Path output;
    private boolean show;
    private boolean window;
    private boolean noDaemon;
    private Path policy;
    private Path stateDir;
    private String target;

    @Override
    public String name() {
        return "open";
    }

    @Override
    public String summary() {
        return "open a file or link in a new cell, as the policy says";
    }

    @Override
    public List<String> description() {
        return List.of(
                "Classifies TARGET's trust (policy rules and taint marks), detects its type from its content",
                "and runs the policy's handler for that type in a new cell. The cell sees the image, its own",
                "copy of the file at /in and an empty /out. When it ends, the policy's persistence rule decides",
                "what leaves it (discard, quarantine or new-version); whatever leaves is tainted.",
                "A link is fetched inside a cell on its trust level's network (the host's proxy decides every",
                "connection), then opened (or, with --view, viewed) like a file from there; it stays tainted with",
                "the link as its origin. A file:// URL is the local file it names.",
                "",
                "Examples:  isola open invoice.pdf",
                "           isola open --view invoice.pdf",
                "           isola open --view invoice.pdf notes.txt",
                "           isola open --view photos.zip",
                "           isola open --window invoice.pdf",
                "           isola open --view --open invoice.pdf",
                "           isola open --view --ocr eng+deu scan.pdf",
                "           isola open --view --password-file ~/.invoice-password invoice.pdf",
                "           isola open --view --output ~/Documents /media/cdrom/invoice.pdf",
                "           isola open https://example.com/file.pdf");
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public String operands() {
        return "FILE|URL...";
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        switch (o.name()) {
            case "--view" -> view = true;
            case "--output" -> output = path(o, v);
            case "--open" -> show = true;
            case "--max-pages" -> maxPages = Sizes.count(o.name(), v);
            case "--quality" ->
                quality = switch (v) {
                    case "draft" -> ViewTask.Quality.DRAFT;
                    case "normal" -> ViewTask.Quality.NORMAL;
                    default ->
                        throw new UsageException(
                                "--quality is draft (smaller, 100 dpi) or normal (150 dpi), not '" + v + "'");
                };
            case "--ocr" -> ocr = v == null ? ViewTask.OCR_DEFAULT : v;
            case "--password-file" -> passwordFile = Path.of(v);
            case "--window" -> window = true;
            case "--policy" -> policy = Path.of(v);
            case "--state-dir" -> stateDir = Path.of(v);
            case "--no-daemon" -> noDaemon = true;
            default -> throw new IllegalStateException("unhandled option " + o.name());
        }
    }

    /** {@code --ocr eng+deu FILE}: the word after --ocr is its languages only when it is spelled as such. */
    @Override
    public boolean isOptionalValue(Option option, String next) {
        return option == OCR && ViewTask.looksLikeOcrLanguages(next) && !Files.exists(Path.of(next));
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty()) {
            throw new UsageException("what should be opened? give a FILE or URL");
        }
        for (String o : operands) {
            Operands.nonEmpty(o, "open needs a FILE or URL");
        }
        targets = List.copyOf(operands);
        target = operands.getFirst();
    }

    private static Path path(Option o, String v) throws UsageException {
        if (v.isBlank()) {
            throw new UsageException(o.name() + " needs a folder");
        }
        return Path.of(v);
    }

    @Override
    public int call() throws InterruptedException, UsageException {
        if (output != null && !view) {
            throw new UsageException("--output says where a safe view goes: use it with --view");
        }
        if (maxPages != io.isola.view.SafeView.Limits.DEFAULT.maxPages() && !view) {
            throw new UsageException("--max-pages bounds a safe view: use it with --view");
        }
        if (quality != ViewTask.Quality.NORMAL && !view) {
            throw new UsageException("--quality sets a safe view's sharpness: use it with --view");
        }
        if (maxPages > io.isola.view.SafeView.Limits.DEFAULT.maxPages()) {
            throw new UsageException("--max-pages is at most " + io.isola.view.SafeView.Limits.DEFAULT.maxPages()
                    + ", the most pages a safe view takes");
        }
        if (ocr != null && !view) {
            throw new UsageException("--ocr gives a safe view a text layer: use it with --view");
        }
        if (passwordFile != null && !view) {
            throw new UsageException("--password-file opens an encrypted PDF for a safe view: use it with --view (a "
                    + "plain open lets the document's program ask for it)");
        }
        if (show && !view) {
            throw new UsageException("--open shows the safe view in your viewer: use it with --view (a plain open "
                    + "runs the policy's handler in the cell)");
        }
        if (window && view) {
            throw new UsageException(
                    "--window shows the file in its cell's program; --view makes a safe copy: pick one");
        }
        if (targets.size() > 1) {
            if (!view) {
                throw new UsageException("open takes one FILE or URL, not " + targets.size() + " (several at once "
                        + "only with --view)");
            }
            return viewAll();
        }
        Path file = LinkTask.localFile(target); // file:///… is the file it names
        boolean link = file == null && LinkTask.isLink(target);
        Path path = file != null ? file : Path.of(target);
        // the service serves the plain forms; --output and --open are the caller's own, so they run here. A window is
        // drawn by this process, in the caller's session, also when the service runs its cell: the service never
        // shows one
        boolean here = noDaemon
                || policy != null
                || stateDir != null
                || output != null
                || show
                || maxPages != io.isola.view.SafeView.Limits.DEFAULT.maxPages()
                || quality != ViewTask.Quality.NORMAL
                || ocr != null
                || passwordFile != null;
        if (window) {
            io.isola.display.CellWindow.checkDisplay(); // before anything starts, here or in the service
        }
        // a window where the policy's handler is a graphical program and this session has a display to show it on
        OpenTask.Window windowed = window
                ? OpenTask.Window.REQUIRED
                : !view && hasDisplay() ? OpenTask.Window.IF_GRAPHICAL : OpenTask.Window.NONE;
        Integer viaDaemon = here
                ? null
                : DaemonClient.open(
                        file != null ? file.toString() : target,
                        view,
                        switch (windowed) {
                            case REQUIRED -> Protocol.WINDOW_REQUIRED;
                            case IF_GRAPHICAL -> Protocol.WINDOW_IF_GRAPHICAL;
                            case NONE -> null;
                        });
        if (viaDaemon != null) {
            return viaDaemon;
        }
        try (TaskSession s = TaskSession.open(stateDir, policy, windowed == OpenTask.Window.NONE ? 1 : 2);
                var signals = new ClosingOnSignal(s::close)) {
            if (link) {
                return view
                        ? new LinkTask(s.context).view(target, viewOptions(), Stdio.INHERIT)
                        : new LinkTask(s.context).run(target, Stdio.INHERIT, windowed);
            }
            if (view) {
                return new ViewTask(s.context).run(path, viewOptions(), Stdio.INHERIT);
            }
            return new OpenTask(s.context).run(path, Stdio.INHERIT, windowed);
        }
    }

    /**
     * {@code open --view A B C}: every document in its own cell, all at once (a cell is mostly a renderer process, and
     * most documents wait on one core), one Isola process serving them. The exit code is the first failure's, or 0.
     */
    /** A desktop session's display that answers (a connect to its socket: no toolkit is started for it). */
    private static boolean hasDisplay() {
        String d = System.getenv("DISPLAY");
        if (d == null || d.isBlank()) {
            return false;
        }
        boolean answers = io.isola.display.CellWindow.answers(d);
        if (!answers) {
            Main.debug("DISPLAY=" + d + " does not answer: the level's handler runs without a window");
        }
        return answers;
    }

    private int viewAll() throws InterruptedException {
        try (TaskSession s = TaskSession.open(stateDir, policy);
                var signals = new ClosingOnSignal(s::close);
                var pool = java.util.concurrent.Executors.newThreadPerTaskExecutor(
                        Thread.ofPlatform().name("isola-view-", 0).factory())) {
            List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
            for (String t : targets) {
                runs.add(pool.submit(() -> viewOne(s, t)));
            }
            int code = 0;
            for (var r : runs) {
                try {
                    int c = r.get();
                    code = code == 0 ? c : code;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
            return code;
        }
    }

    private ViewTask.Options viewOptions() {
        return new ViewTask.Options(output, show, maxPages, quality)
                .withOcr(ocr)
                .withPasswordFile(passwordFile);
    }

    private int viewOne(TaskSession s, String one) throws InterruptedException {
        Path file = LinkTask.localFile(one);
        if (file == null && LinkTask.isLink(one)) {
            return new LinkTask(s.context).view(one, viewOptions(), Stdio.INHERIT);
        }
        try {
            return new ViewTask(s.context).run(file != null ? file : Path.of(one), viewOptions(), Stdio.INHERIT);
        } catch (io.isola.core.IsolaException e) { // one document's refusal is its own line; the others go on
            System.err.println("isola: " + one + ": " + e.getMessage());
            return e.exitCode();
        }
    }
}
