package io.isola.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.IsolaException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeViewTest {
    @TempDir
    Path dir;

    @Test
    void pagesAreOrderedByTheirNumberNotTheirName() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            files.add(page("page-" + i + ".ppm", i, 1));
        }
        List<Path> shuffled = new ArrayList<>(files);
        shuffled.sort(null); // by name: page-1, page-10, page-11, page-2…

        assertThat(SafeView.inPageOrder(shuffled, SafeView.Limits.DEFAULT)).containsExactlyElementsOf(files);
        assertThat(SafeView.pageFiles(dir, SafeView.Limits.DEFAULT)).containsExactlyElementsOf(files);
    }

    @Test
    void pdftoppmsZeroPaddedNamesAreAccepted() throws IOException {
        Path p1 = page("page-01.ppm", 1, 1);
        Path p10 = page("page-10.ppm", 1, 1);
        List<Path> middle = new ArrayList<>();
        for (int i = 2; i <= 9; i++) {
            middle.add(page("page-0" + i + ".ppm", 1, 1));
        }

        List<Path> ordered = SafeView.pageFiles(dir, SafeView.Limits.DEFAULT);

        assertThat(ordered).hasSize(10).startsWith(p1).endsWith(p10);
        assertThat(ordered.subList(1, 9)).containsExactlyElementsOf(middle);
    }

    @Test
    void aPdfIsRebuiltFromAPageDirectoryInPageOrder() throws IOException {
        for (int i = 1; i <= 10; i++) {
            page("page-" + i + ".ppm", 10 + i, 5);
        }
        Path target = dir.resolveSibling(dir.getFileName() + "-out.pdf");
        try {
            SafeView.rebuild(dir, SafeView.Kind.PDF, target, SafeView.Limits.DEFAULT, SafeView.TEXT_DPI);

            try (PDDocument doc = RasterOnlyPdf.check(target, 10)) {
                for (int i = 0; i < 10; i++) {
                    assertThat(RasterOnlyPdf.image(doc.getPage(i)).getWidth()).isEqualTo(11 + i);
                }
            }
        } finally {
            Files.deleteIfExists(target);
        }
    }

    @Test
    void aOnePageDocumentCanBecomeAPng() throws IOException {
        Path page = page("page-1.ppm", 7, 3);
        Path target = dir.resolve("view.png");

        SafeView.write(List.of(page), SafeView.Kind.PNG, target, SafeView.Limits.DEFAULT, SafeView.TEXT_DPI);

        BufferedImage png = ImageIO.read(target.toFile());
        assertThat(png.getWidth()).isEqualTo(7);
        assertThat(png.getHeight()).isEqualTo(3);
    }

    @Test
    void aPngOfSeveralPagesIsRefused() throws IOException {
        List<Path> pages = List.of(page("page-1.ppm", 2, 2), page("page-2.ppm", 2, 2));

        assertRefused(pages, SafeView.Kind.PNG, SafeView.Limits.DEFAULT, "a PNG holds one page");
    }

    @Test
    void zeroPagesIsAClearError() {
        assertRefused(List.of(), SafeView.Kind.PDF, SafeView.Limits.DEFAULT, "no pages");
        assertThatThrownBy(() -> SafeView.pageFiles(dir, SafeView.Limits.DEFAULT))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("no pages");
    }

    @Test
    void namesOtherThanPageNAreRefused() throws IOException {
        Path good = page("page-1.ppm", 1, 1);
        Path odd = Files.writeString(dir.resolve("page-2.ppm\u001b[2J"), "x");

        assertRefused(
                List.of(good, odd),
                SafeView.Kind.PDF,
                SafeView.Limits.DEFAULT,
                "unexpected file among the rendered pages: page-2.ppm\\x1b[2J"); // escaped as everywhere, never raw
    }

    @Test
    void aPageRenderedTwiceOrAGapIsRefused() throws IOException {
        Path one = page("page-1.ppm", 1, 1);
        Path oneAgain = page("page-01.ppm", 1, 1);
        Path three = page("page-3.ppm", 1, 1);

        assertRefused(List.of(one, oneAgain), SafeView.Kind.PDF, SafeView.Limits.DEFAULT, "page 1 was rendered twice");
        assertRefused(List.of(one, three), SafeView.Kind.PDF, SafeView.Limits.DEFAULT, "not numbered 1 to 2");
        assertRefused(List.of(three), SafeView.Kind.PDF, SafeView.Limits.DEFAULT, "not numbered 1 to 1");
    }

    @Test
    void thePageCapIsEnforced() throws IOException {
        List<Path> pages = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            pages.add(page("page-" + i + ".ppm", 1, 1));
        }
        SafeView.Limits threePages = new SafeView.Limits(3, 100, 100);

        assertRefused(pages, SafeView.Kind.PDF, threePages, "4 pages, more than the limit of 3");
        assertThatThrownBy(() -> SafeView.pageFiles(dir, threePages))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining("more than 3 pages");
    }

    /**
     * The renderer is told to make pages of at most {@link SafeView#MAX_PAGE_SIDE} pixels a side; a page above that
     * came from a compromised renderer and is refused before its pixels are read, however few pixels it has in all.
     */
    @Test
    void aPageWiderOrTallerThanTheRendererMakesIsRefused() throws IOException {
        int side = SafeView.MAX_PAGE_SIDE;
        assertRefused(
                List.of(page("page-1.ppm", side + 1, 1)),
                SafeView.Kind.PDF,
                SafeView.Limits.DEFAULT,
                "more than " + side + " pixels a side");
        Files.delete(dir.resolve("page-1.ppm"));
        assertRefused(
                List.of(page("page-1.ppm", 2, side + 1)),
                SafeView.Kind.PNG,
                SafeView.Limits.DEFAULT,
                "more than " + side + " pixels a side");
        Files.delete(dir.resolve("page-1.ppm"));
        SafeView.write(
                List.of(page("page-1.ppm", side, side)),
                SafeView.Kind.PNG,
                dir.resolve("max.png"),
                SafeView.Limits.DEFAULT,
                SafeView.IMAGE_DPI);
        assertThat(dir.resolve("max.png")).exists();
    }

    @Test
    void theLargestLegitimatePageBoundsWhatAViewMayHarvest() {
        SafeView.Limits d = SafeView.Limits.DEFAULT;
        assertThat(d.maxPageBytes())
                .isEqualTo(3L * SafeView.MAX_PAGE_SIDE * SafeView.MAX_PAGE_SIDE + Pixmap.MAX_HEADER);
        assertThat(d.maxPagePixels()).isEqualTo((long) SafeView.MAX_PAGE_SIDE * SafeView.MAX_PAGE_SIDE);
        assertThat(d.maxHarvestBytes()).isEqualTo(d.maxPages() * d.maxPageBytes());
    }

    @Test
    void thePerPageAndTotalPixelCapsAreEnforced() throws IOException {
        List<Path> pages = List.of(page("page-1.ppm", 10, 10), page("page-2.ppm", 10, 10));

        assertRefused(pages, SafeView.Kind.PDF, new SafeView.Limits(10, 99, 1000), "more than the limit of 99");
        assertRefused(pages, SafeView.Kind.PDF, new SafeView.Limits(10, 100, 199), "more than 199 pixels in all");
        SafeView.write(
                pages,
                SafeView.Kind.PDF,
                dir.resolve("fits.pdf"),
                new SafeView.Limits(10, 100, 200),
                SafeView.TEXT_DPI);
        assertThat(dir.resolve("fits.pdf")).exists();
    }

    @Test
    void aBadPageInTheMiddleLeavesNoOutput() throws IOException {
        Path p1 = page("page-1.ppm", 3, 3);
        Path p2 = Files.writeString(dir.resolve("page-2.ppm"), "P6\n3 3\n255\nshort", StandardCharsets.ISO_8859_1);
        Path target = dir.resolve("never.pdf");

        assertRefused(List.of(p1, p2), SafeView.Kind.PDF, SafeView.Limits.DEFAULT, "truncated");
        assertThat(target).doesNotExist();
        assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    private void assertRefused(List<Path> pages, SafeView.Kind kind, SafeView.Limits limits, String why) {
        Path target = dir.resolve("never." + kind.name().toLowerCase());
        assertThatThrownBy(() -> SafeView.write(pages, kind, target, limits, SafeView.TEXT_DPI))
                .isInstanceOf(IsolaException.class)
                .hasMessageContaining(why)
                .hasMessageNotContaining("\n");
        assertThat(target).doesNotExist();
    }

    /** A valid page file of one colour. */
    private Path page(String name, int width, int height) throws IOException {
        byte[] header = ("P6\n" + width + " " + height + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + 3 * width * height];
        System.arraycopy(header, 0, all, 0, header.length);
        return Files.write(dir.resolve(name), all);
    }
}
