package io.isola.view;

import io.isola.core.IsolaException;
import io.isola.core.TerminalText;
import io.isola.view.render.Render;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host half of the safe view: turns the page files a cell rendered into a clean PDF or PNG.
 *
 * <p>Nothing from the cell is trusted but the pixels, and even their counts are checked: page file names must be
 * {@code page-N.ppm} with the numbers 1 to N each exactly once (pdftoppm pads them with zeros to equal width, the
 * in-cell renderer does not; both are accepted), each page is read with {@link Pixmap#read} under a per-page side and
 * pixel limit, and the document under a page limit and a total pixel limit. A few pages are read and compressed at
 * once, on as many threads, and written in order.
 */
public final class SafeView {
    /** What to rebuild. */
    public enum Kind {
        /** One PDF page per rendered page. */
        PDF,
        /** A single image; only for a document of one page. */
        PNG
    }

    /**
     * The most pixels a page may have on a side: what every renderer is told to make (see
     * {@link Render#MAX_PAGE_SIDE}), so anything larger is a compromised renderer's and is refused unread.
     */
    public static final int MAX_PAGE_SIDE = Render.MAX_PAGE_SIDE;

    /**
     * Bounds on what a cell may hand back.
     *
     * @param maxPages the most pages
     * @param maxSide the most pixels on either side of a page
     * @param maxPagePixels the most pixels in one page
     * @param maxTotalPixels the most pixels in all pages together, which bounds the host's time and the output's size
     */
    public record Limits(int maxPages, int maxSide, long maxPagePixels, long maxTotalPixels) {
        /**
         * 1000 pages of at most {@link SafeView#MAX_PAGE_SIDE} pixels a side (about 8 MB of raw pixels each); 2 Gpixel in
         * all (about 950 letter pages, some 6 GB of raw pixels to compress; the cell's disk bounds it far sooner).
         */
        public static final Limits DEFAULT =
                new Limits(1000, MAX_PAGE_SIDE, (long) MAX_PAGE_SIDE * MAX_PAGE_SIDE, 2_000_000_000L);

        public Limits {
            if (maxPages < 1 || maxSide < 1 || maxPagePixels < 1 || maxTotalPixels < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }

        /** Pages of at most {@link #MAX_PAGE_SIDE} pixels a side. */
        public Limits(int maxPages, long maxPagePixels, long maxTotalPixels) {
            this(maxPages, MAX_PAGE_SIDE, maxPagePixels, maxTotalPixels);
        }

        /** The largest page file a renderer can legitimately write: its pixels and the longest header. */
        public long maxPageBytes() {
            return 3 * Math.min(maxPagePixels, (long) maxSide * maxSide) + Pixmap.MAX_HEADER;
        }

        /** The most bytes of page files a renderer can legitimately leave: what the host should take at most. */
        public long maxHarvestBytes() {
            return maxPages * maxPageBytes();
        }
    }

    /**
     * The long side of every page pdftoppm renders, given as {@code -scale-to}: that option overrides {@code -r} and
     * fixes the size whatever the document claims, so a page cannot make the renderer allocate without bound; the
     * host cannot know the real size (and must not ask the cell). 150 dpi for letter paper: text stays crisp, a page
     * is ~6 MB of raw pixels.
     */
    public static final int PDFTOPPM_LONG_SIDE = MAX_PAGE_SIDE;
    /** The resolution of pdftoppm's pages: at 150 dpi the long side is 11 inches, US Letter at its size, A4 at 94%. */
    public static final int PDFTOPPM_DPI = 150;
    /** The resolution of the in-cell renderer's text pages: 827 × 1169 pixels at 100 dpi is A4. */
    public static final int TEXT_DPI = 100;
    /** The resolution for images, which have no physical size of their own. */
    public static final int IMAGE_DPI = 100;

    private static final Pattern PAGE_NAME = Pattern.compile("page-([0-9]{1,9})\\.ppm");
    private static final Pattern WORDS_NAME = Pattern.compile("page-([0-9]{1,9})\\.tsv");

    private SafeView() {}

    /**
     * Rebuilds the pages found in {@code pageDir} (see {@link #pageFiles}) into {@code target}.
     *
     * @param dpi how many pixels make an inch of the PDF page ({@link #PDFTOPPM_DPI}, {@link #TEXT_DPI} or
     *     {@link #IMAGE_DPI}); ignored for a PNG
     */
    public static void rebuild(Path pageDir, Kind kind, Path target, Limits limits, int dpi) {
        write(pageFiles(pageDir, limits), kind, target, limits, dpi);
    }

    /**
     * As {@link #rebuild(Path, Kind, Path, Limits, int)}; with {@code ocr}, every {@code page-N.ppm} must have its
     * {@code page-N.tsv} beside it (Tesseract's words, read by {@link OcrWords}), which becomes the PDF page's invisible
     * text layer.
     */
    public static void rebuild(Path pageDir, Kind kind, Path target, Limits limits, int dpi, boolean ocr) {
        if (!ocr) {
            rebuild(pageDir, kind, target, limits, dpi);
            return;
        }
        List<Path> pages = new ArrayList<>();
        TreeMap<Integer, Path> words = new TreeMap<>();
        for (Path p : listing(pageDir, 2 * limits.maxPages())) {
            Matcher m = WORDS_NAME.matcher(p.getFileName().toString());
            if (!m.matches()) {
                pages.add(p);
            } else if (words.put(Integer.parseInt(m.group(1)), p) != null) {
                throw new IsolaException("the OCR text of page " + Integer.parseInt(m.group(1)) + " came twice");
            }
        }
        List<Path> ordered = inPageOrder(pages, limits);
        if (words.size() != ordered.size() || words.firstKey() != 1 || words.lastKey() != ordered.size()) {
            throw new IsolaException("the OCR text of " + ordered.size() + " page(s) came as " + words.size()
                    + " file(s), numbered otherwise");
        }
        write(ordered, List.copyOf(words.values()), kind, target, limits, dpi);
    }

    /**
     * Lists the page files of a cell's output directory in page order (page-2 before page-10).
     *
     * @throws IsolaException if the directory holds anything else, a page number twice, a gap, or no page at all
     */
    public static List<Path> pageFiles(Path pageDir, Limits limits) {
        return inPageOrder(listing(pageDir, limits.maxPages()), limits);
    }

    private static List<Path> listing(Path pageDir, int most) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(pageDir)) {
            for (Path p : entries) {
                files.add(p);
                if (files.size() > most) {
                    throw new IsolaException("the document has more than " + most + " pages, the limit");
                }
            }
        } catch (IOException e) {
            throw new IsolaException("cannot list the rendered pages in " + pageDir + ": " + e.getMessage());
        }
        return files;
    }

    /**
     * Orders page files by the number in their names.
     *
     * @throws IsolaException if a name is not {@code page-N.ppm}, a number repeats, the numbers are not 1 to N, or
     *     there are none
     */
    public static List<Path> inPageOrder(List<Path> files, Limits limits) {
        if (files.isEmpty()) {
            throw new IsolaException("the document has no pages: nothing was rendered");
        }
        if (files.size() > limits.maxPages()) {
            throw new IsolaException(
                    "the document has " + files.size() + " pages, more than the limit of " + limits.maxPages());
        }
        TreeMap<Integer, Path> byNumber = new TreeMap<>();
        for (Path f : files) {
            Matcher m = PAGE_NAME.matcher(f.getFileName().toString());
            if (!m.matches()) {
                throw new IsolaException("unexpected file among the rendered pages: "
                        + TerminalText.printable(f.getFileName().toString()));
            }
            Path before = byNumber.put(Integer.parseInt(m.group(1)), f);
            if (before != null) {
                throw new IsolaException("page " + Integer.parseInt(m.group(1)) + " was rendered twice ("
                        + before.getFileName() + " and " + f.getFileName() + ")");
            }
        }
        if (byNumber.firstKey() != 1 || byNumber.lastKey() != byNumber.size()) {
            throw new IsolaException("the rendered pages are not numbered 1 to " + byNumber.size());
        }
        return List.copyOf(byNumber.values());
    }

    /**
     * Reads, checks and writes {@code pageFiles} (in any order: they are put in page order first) to {@code target}.
     *
     * @param dpi as for {@link #rebuild}
     * @throws IsolaException if a page or the document breaks a limit, a page is not a valid PPM, a PNG is asked for a
     *     document of more than one page, or {@code target} exists
     */
    public static void write(List<Path> pageFiles, Kind kind, Path target, Limits limits, int dpi) {
        write(inPageOrder(pageFiles, limits), List.of(), kind, target, limits, dpi);
    }

    /** Writes {@code pages}, in page order, each with the OCR words in {@code words} at its index (or none). */
    private static void write(List<Path> pages, List<Path> words, Kind kind, Path target, Limits limits, int dpi) {
        Budget budget = new Budget(limits);
        if (kind == Kind.PNG) {
            if (pages.size() != 1) {
                throw new IsolaException(
                        "a PNG holds one page and this document has " + pages.size() + ": ask for a PDF");
            }
            if (!words.isEmpty()) {
                throw new IsolaException("a PNG has no text layer: ask for a PDF");
            }
            CleanPng.write(budget.read(pages.getFirst()), target);
            return;
        }
        // Pages are read and compressed side by side, a few ahead of the one being written, which keeps their order.
        int ahead = Math.max(1, Math.min(COMPRESSING, Runtime.getRuntime().availableProcessors()));
        try (CleanPdf pdf = CleanPdf.create(target, dpi);
                ExecutorService workers = Executors.newFixedThreadPool(
                        ahead,
                        Thread.ofPlatform().daemon().name("isola-page-", 0).factory())) {
            ArrayDeque<Future<CleanPdf.EncodedPage>> window = new ArrayDeque<>();
            int next = 0;
            try {
                while (next < pages.size() || !window.isEmpty()) {
                    while (next < pages.size() && window.size() < ahead + 1) {
                        Path page = pages.get(next);
                        Path text = words.isEmpty() ? null : words.get(next);
                        next++;
                        window.add(workers.submit(() -> {
                            Pixmap p = budget.read(page);
                            return CleanPdf.encode(
                                    p, text == null ? List.of() : OcrWords.read(text, p.width(), p.height()));
                        }));
                    }
                    pdf.addPage(take(window.poll()));
                }
            } finally {
                window.forEach(f -> f.cancel(true));
            }
            pdf.finish();
        }
    }

    /**
     * Rebuilds a PDF from pages that arrive as a stream of binary PPMs, one after another ({@link Pixmap#readNext}),
     * while the cell is still rendering them: each page is read and checked here, compressed on one of a few threads,
     * and written in order, so the host's work overlaps the renderer's instead of following it. The same limits hold
     * as for page files: pages, pixels a side and per page, pixels in all; at most three pages are in memory.
     *
     * @return the number of pages written
     * @throws IsolaException if the stream breaks a limit, is not strict PPM, ends inside a page, or holds no page
     */
    public static int rebuild(java.io.InputStream pages, Path target, Limits limits, int dpi) {
        Budget budget = new Budget(limits);
        int ahead = Math.max(1, Math.min(COMPRESSING, Runtime.getRuntime().availableProcessors()));
        int count = 0;
        try (CleanPdf pdf = CleanPdf.create(target, dpi);
                ExecutorService workers = Executors.newFixedThreadPool(
                        ahead,
                        Thread.ofPlatform().daemon().name("isola-page-", 0).factory())) {
            ArrayDeque<Future<CleanPdf.EncodedPage>> window = new ArrayDeque<>();
            try {
                while (true) {
                    Pixmap p = Pixmap.readNext(pages, limits.maxSide(), limits.maxPagePixels(), "page " + (count + 1));
                    if (p == null) {
                        break;
                    }
                    if (++count > limits.maxPages()) {
                        throw new IsolaException(
                                "the document has more than " + limits.maxPages() + " pages, the limit");
                    }
                    budget.count(p, Path.of("page-" + count));
                    window.add(workers.submit(() -> CleanPdf.encode(p)));
                    while (window.size() >= ahead) {
                        pdf.addPage(take(window.poll()));
                    }
                }
                while (!window.isEmpty()) {
                    pdf.addPage(take(window.poll()));
                }
            } finally {
                window.forEach(f -> f.cancel(true));
            }
            if (count == 0) {
                throw new IsolaException("the document has no pages: nothing was rendered");
            }
            pdf.finish();
        }
        return count;
    }

    /** How many pages are compressed at once, at most: a page's pixels are up to 8 MB, the heap is small. */
    private static final int COMPRESSING = 2;

    private static CleanPdf.EncodedPage take(Future<CleanPdf.EncodedPage> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // an IsolaException that names the page, most often
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolaException("the safe view was interrupted");
        }
    }

    /** Keeps the running pixel count across pages. */
    private static final class Budget {
        private final Limits limits;
        private long pixels;

        Budget(Limits limits) {
            this.limits = limits;
        }

        /** Reads a page (on any thread: only the count is shared). */
        Pixmap read(Path page) {
            Pixmap p = Pixmap.read(page, limits.maxSide(), limits.maxPagePixels());
            count(p, page);
            return p;
        }

        private synchronized void count(Pixmap p, Path page) {
            pixels += (long) p.width() * p.height();
            if (pixels > limits.maxTotalPixels()) {
                throw new IsolaException("the document has more than " + limits.maxTotalPixels()
                        + " pixels in all, the limit (reached at " + page.getFileName() + ")");
            }
        }
    }
}
