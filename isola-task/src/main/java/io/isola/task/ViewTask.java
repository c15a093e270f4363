package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.EngineNames;
import io.isola.core.Harvest;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.OutputQuota;
import io.isola.core.Sha256;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.Trace;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Persister;
import io.isola.core.output.Provenance;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import io.isola.view.OcrWords;
import io.isola.view.SafeView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code isola open --view FILE}, the safe view: a cell renders the document to raw pixels, and the host rebuilds a
 * PDF (or PNG) from those pixels alone, so no script, link, form, embedded file or font of the original survives.
 * The result is trusted output: it is sealed as a safe view (the one kind of result that vouches for itself,
 * whatever the original's origin), and saved beside the original as {@code NAME.safe.pdf} (or where
 * {@link ViewDestination} says, when that folder cannot be written).
 */
public final class ViewTask {
    /**
     * Pages leave the cell as raw pixels, and no more of them than a renderer can legitimately make: up to SafeView's
     * page cap, each no larger than the largest page, all together no more than that many of them (and never more
     * than the cell's disk, which every engine holds a harvest to). Sizes are the ones files claim, so a sparse
     * "page" is refused before the host reads a byte of it.
     */
    private static final SafeView.Limits LIMITS = SafeView.Limits.DEFAULT;

    private static final OutputQuota PIXELS =
            new OutputQuota(LIMITS.maxPages(), LIMITS.maxHarvestBytes(), 1, false, LIMITS.maxPageBytes());

    /** What a cell that streams its pages may leave in {@code /out}: nothing. */
    private static final OutputQuota NOTHING = new OutputQuota(0, 0, 1, false, 0);

    private final TaskContext ctx;
    private final BiFunction<String, String, Renderers> renderers;

    public ViewTask(TaskContext ctx) {
        this(ctx, Renderers::forType);
    }

    /** With another choice of renderer for a type and an input path in the cell: tests play a compromised one. */
    ViewTask(TaskContext ctx, BiFunction<String, String, Renderers> renderers) {
        this.ctx = ctx;
        this.renderers = renderers;
    }

    /**
     * How a view is made.
     *
     * @param output the folder the view goes to; null: beside the original, or where {@link ViewDestination} finds
     * @param open whether to show the result in the person's viewer afterwards ({@link CallerDesktop})
     * @param maxPages render at most this many pages of a PDF, office document, HTML or EPUB (the first ones); the
     *     host takes no more than that from the cell either
     * @param quality how sharp (and large) the pages of such a document are
     * @param ocr Tesseract's languages for a text layer made from the pixels ({@code eng}, {@code eng+deu}), or null
     * @param passwordFile a file whose first line is an encrypted PDF's password, or null
     */
    public record Options(Path output, boolean open, int maxPages, Quality quality, String ocr, Path passwordFile) {
        public static final Options DEFAULT = new Options(null, false);

        public Options(Path output, boolean open, int maxPages, Quality quality) {
            this(output, open, maxPages, quality, null, null);
        }

        /** The same, with a text layer by Tesseract in {@code languages} (null: none). */
        public Options withOcr(String languages) {
            return new Options(output, open, maxPages, quality, languages, passwordFile);
        }

        /** The same, opening an encrypted PDF with the password in {@code file} (null: none). */
        public Options withPasswordFile(Path file) {
            return new Options(output, open, maxPages, quality, ocr, file);
        }

        public Options {
            if (maxPages < 1 || maxPages > LIMITS.maxPages()) {
                throw new IsolaException(
                        "--max-pages must be 1 to " + LIMITS.maxPages() + ", not " + maxPages + ": give a page count",
                        2);
            }
        }

        /** At most {@link SafeView.Limits#DEFAULT}'s pages (1000), at the normal quality. */
        public Options(Path output, boolean open) {
            this(output, open, LIMITS.maxPages(), Quality.NORMAL);
        }
    }

    /** The sharpness of a view's pages: their long side in pixels, always 11 inches. */
    public enum Quality {
        /** 100 dpi: about half the size of a normal view, text still readable. */
        DRAFT(1100),
        /** 150 dpi, the most the host takes ({@link SafeView#MAX_PAGE_SIDE}). */
        NORMAL(SafeView.MAX_PAGE_SIDE);

        final int longSide;

        Quality(int longSide) {
            this.longSide = longSide;
        }
    }

    /** The languages of {@code --ocr} alone. */
    public static final String OCR_DEFAULT = OcrLanguages.DEFAULT;

    /** Whether {@code word} is spelled as {@code --ocr}'s languages ({@code eng}, {@code eng+deu}), not a file. */
    public static boolean looksLikeOcrLanguages(String word) {
        return OcrLanguages.looksLikeLanguages(word);
    }

    public int run(Path file, Stdio stdio) throws InterruptedException {
        return run(file, Options.DEFAULT, stdio);
    }

    public int run(Path file, Options options, Stdio stdio) throws InterruptedException {
        String taskId = Tasks.newId();
        return Tasks.inTaskDir(
                ctx,
                taskId,
                "the safe view failed",
                dir -> view(Intake.take(ctx, taskId, file, dir, "view"), dir, options, stdio));
    }

    /**
     * The safe view of an input taken (a user's file, or one a link task fetched) in task directory {@code dir}: one
     * view, or for an archive or a message with attachments a folder of them ({@link ContainerView}).
     */
    int view(Intake it, Path dir, Options options, Stdio stdio) throws IOException, InterruptedException {
        InputSnapshot in = it.input();
        if (ctx.seal().verifiedKind(in.marks(), in.sha256()) == Seal.Kind.SAFE_VIEW) {
            return done(
                    in.original(),
                    options,
                    "is already a safe view (rebuilt from pixels and sealed by this "
                            + "host): nothing new was made, open it as it is");
        }
        refuseWhatTheVmCannot(it);
        if (options.passwordFile() != null
                && !it.type().equals("application/pdf")
                && !ContainerView.handles(it.type())) {
            throw new IsolaException(
                    "--password-file opens encrypted PDFs; this is " + it.type() + " (LibreOffice's command line "
                            + "takes no password): open it without --view, where its program asks for the password",
                    2);
        }
        if (ContainerView.handles(it.type())) {
            return new ContainerView(ctx, this, options).view(it, dir, stdio);
        }
        Viewed v = single(it, dir, options, stdio);
        if (v.code() == 0) {
            showIf(options, v.kept());
        }
        return v.code();
    }

    /** A vm cell cannot render what its image lacks: one line before any cell starts. */
    static void refuseWhatTheVmCannot(Intake it) {
        String lacking = Renderers.notInVmImage(it.type());
        if (EngineNames.VM.equals(it.level().engine()) && lacking != null) {
            throw new IsolaException(
                    "the vm engine's image carries no " + lacking + ", which " + it.type()
                            + " needs: view it at a level whose engine is \"sandbox\" (its cells see the host's "
                            + "packages)",
                    2);
        }
    }

    /**
     * What one view made: the exit code, the safe file (made now or found from before; null when none) and its page
     * count (0 when found), or why nothing was made.
     */
    record Viewed(int code, Path kept, int pages, String failure) {}

    /** One document's view, in one cell: a safe PDF or PNG where {@code options} says, or why not. */
    Viewed single(Intake it, Path dir, Options options, Stdio stdio) throws IOException, InterruptedException {
        String taskId = it.taskId();
        InputSnapshot in = it.input();
        String ocr = options.ocr() == null ? null : OcrLanguages.check(options.ocr());
        Renderers r = renderers
                .apply(it.type(), it.inputInCell())
                .limitedTo(options.maxPages())
                .sharpness(options.quality().longSide);
        if (ocr != null) {
            r = r.withOcr(ocr);
        }
        SafeView.Limits limits = options.maxPages() == LIMITS.maxPages()
                ? LIMITS
                : new SafeView.Limits(
                        options.maxPages(), LIMITS.maxSide(), LIMITS.maxPagePixels(), LIMITS.maxTotalPixels());
        ViewDestination to = ViewDestination.choose(ctx, in.original(), options.output());
        Path wanted = to.folder().resolve(safeName(in.original(), r.kind()).getFileName());
        Path earlier = SafeViews.existing(ctx, wanted, in.sha256());
        if (earlier != null) {
            Tasks.say(
                    ctx,
                    "isola: " + earlier + " is already the safe view of this "
                            + in.original().getFileName()
                            + " (the same content, sealed by this host): nothing new was made");
            return new Viewed(0, earlier, 0, null);
        }
        Tasks.say(ctx, "isola: safe view of " + in.original().getFileName() + " (" + it.type() + ", " + it.why() + ")");
        List<TaskFiles.Input> renderer = new ArrayList<>();
        if (r.renderer() != null) {
            renderer.add(r.input(dir));
        }
        if (options.passwordFile() != null && it.type().equals("application/pdf")) { // a container's PDFs too
            renderer.add(Password.input(ctx, options.passwordFile(), dir));
        }
        // A PDF's pages stream out of a sandbox cell as they are rendered, and the host builds the PDF meanwhile (other
        // renderers' tools might write to their standard output; OCR reads page files; the vm engine takes files)
        boolean stream = ocr == null
                && it.type().equals("application/pdf")
                && EngineNames.SANDBOX.equals(it.level().engine());
        if (stream) {
            r = r.streaming();
            stream = r.streams();
        }
        OutputQuota quota = limits == LIMITS && ocr == null
                ? PIXELS
                : new OutputQuota(
                        (ocr == null ? 1 : 2) * limits.maxPages(),
                        limits.maxHarvestBytes() + (ocr == null ? 0 : (long) limits.maxPages() * OcrWords.MAX_BYTES),
                        1,
                        false,
                        limits.maxPageBytes());
        Path built = dir.resolve("safe" + (r.kind() == SafeView.Kind.PNG ? ".png" : ".pdf"));
        CellRun run;
        PageStream pages = stream ? new PageStream() : null;
        try {
            CellSpec spec = it.spec(ctx, r.argv(), renderer, Network.NONE); // rendering never needs a network
            if (pages == null) {
                run = CellRun.run(ctx.engines().apply(it.level().engine()), spec, stdio, dir.resolve("pages"), quota);
            } else {
                SafeView.Limits taken = limits;
                int dpi = r.dpi();
                run = CellRun.run(
                        ctx.engines().apply(it.level().engine()),
                        spec,
                        pages.stdio(stdio),
                        dir.resolve("pages"),
                        NOTHING,
                        () -> pages.receive(built, taken, dpi));
            }
        } finally {
            if (pages != null) {
                pages.close();
            }
        }
        if (pages != null && pages.refused() != null) { // the host stopped reading: that, not the exit, is the cause
            throw new IsolaException(pages.refused().getMessage() + "; no safe view was made");
        }
        if (run.exit().exitCode() != 0) {
            String why = run.exit().reason() == CellExit.Reason.KILLED
                    ? "rendering was stopped (" + run.exit().detail() + "): the document may be hostile, or "
                            + "needs more than its level allows"
                    : run.exit().reason().isLimit()
                            ? "rendering " + Tasks.limitReached(run.exit())
                                    + " (the document may be hostile, or needs more than its level allows)"
                            : "the renderer failed (exit code " + run.exit().exitCode() + ")";
            Tasks.say(ctx, "isola: " + why + "; no safe view was made");
            return new Viewed(run.exit().exitCode(), null, 0, why);
        }
        Outcomes.problems(ctx, taskId, run.harvest());
        long refused = run.harvest().problems().stream().filter(p -> !p.kept()).count();
        if (refused > 0) { // a view with pages missing would silently show another document
            throw new IsolaException(refused + " of the renderer's files could not come out (a renderer makes at "
                    + "most " + limits.maxPages() + " pages of " + SafeView.MAX_PAGE_SIDE + " pixels a side): the "
                    + "document may be hostile; no safe view was made");
        }
        Trace.mark("pages harvested");
        try {
            if (pages == null) {
                SafeView.rebuild(dir.resolve("pages"), r.kind(), built, limits, r.dpi(), ocr != null);
            } else if (pages.failed() != null) {
                throw pages.failed();
            }
        } catch (IsolaException e) {
            throw new IsolaException(e.getMessage() + "; no safe view was made", e.exitCode());
        }
        Trace.mark("clean document rebuilt");
        Path kept = publish(built, in, run.cellId(), taskId, wanted);
        Trace.mark("clean document sealed");
        int count = pages != null ? pages.pages() : run.harvest().files().size() / (ocr == null ? 1 : 2);
        Tasks.say(
                ctx,
                "isola: " + count + " page(s) -> " + kept + " (trusted: rebuilt from pixels in "
                        + "cell " + run.cellId() + ", nothing active left" + (to.note() == null ? "" : "; " + to.note())
                        + ")");
        ctx.audit()
                .record(AuditEvent.of(
                        "file.persisted",
                        run.cellId(),
                        "task",
                        taskId,
                        "path",
                        kept.toString(),
                        "rule",
                        "safe-view",
                        "pages",
                        count));
        return new Viewed(0, kept, count, null);
    }

    /** A view that makes nothing new: one line naming the safe file there is, exit 0. */
    private int done(Path safe, Options options, String what) throws InterruptedException {
        Tasks.say(ctx, "isola: " + safe + " " + what);
        showIf(options, safe);
        return 0;
    }

    /** With {@code --open}: the safe file in the person's own viewer, and a line that says what happened. */
    void showIf(Options options, Path safe) throws InterruptedException {
        if (options.open()) {
            Tasks.say(ctx, "isola: " + CallerDesktop.open(ctx.callerEnv(), safe));
        }
    }

    /**
     * {@code NAME.safe.pdf} beside the original ({@code NAME.safe (isola 2).pdf} when that is taken). An original
     * that already bears such a name (a safe view copied elsewhere, whose seal no longer holds) keeps it rather than
     * growing {@code NAME.safe.safe.pdf}.
     */
    static Path safeName(Path original, SafeView.Kind kind) {
        String name = original.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        stem = SafeViews.ALREADY_SAFE.matcher(stem).replaceFirst("");
        return original.resolveSibling(stem + ".safe" + (kind == SafeView.Kind.PNG ? ".png" : ".pdf"));
    }

    /**
     * Publishes the clean document at {@code wanted} with the caller's rights, under the first free name, sealed
     * as trusted output over Isola's own copy; where the file system cannot hold the marks, it goes to Isola's
     * quarantine instead (the persister's rules for every file that leaves a cell).
     */
    private Path publish(Path built, InputSnapshot in, String cell, String taskId, Path wanted) throws IOException {
        Harvest.OutputFile f = new Harvest.OutputFile(
                wanted.getFileName().toString(),
                built,
                Files.size(built),
                Sha256.of(built),
                Harvest.Kind.CREATED,
                null);
        String origin = in.marks().origin() != null
                ? in.marks().origin()
                : in.original().toUri().toString();
        Provenance from =
                new Provenance(taskId, cell, TrustLevel.TRUSTED, origin, null, null, in.original(), Instant.now());
        List<Persister.Outcome> notes = new ArrayList<>();
        Path kept = ctx.persister()
                .keepBeside(f, wanted, from, Seal.Kind.SAFE_VIEW, Map.of("isola.view-of", in.sha256()), notes);
        for (Persister.Outcome o : notes) {
            Tasks.say(ctx, "isola: " + o.message());
        }
        return kept;
    }
}
