package io.isola.task;

import static io.isola.task.WindowTaskTest.processesNaming;
import static io.isola.task.WindowTaskTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.TaskFiles;
import io.isola.core.policy.NetworkAccess;
import io.isola.display.CellDisplay;
import io.isola.display.CellFrames;
import io.isola.display.WindowSize;
import io.isola.linux.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Viewers started before the click, as the service keeps them: real mupdf in real sandbox cells on displays of their
 * own, their screens read as the host reads them. What counts: a ready viewer shows the file it is handed (not the
 * stand-in, not another's), is handed out once, serves only a task whose cell it is exactly, and leaves nothing.
 */
class ReadyViewersTest {
    private static final WindowSize SMALL = WindowSize.fixed(900, 700);
    private TaskHarness h;
    private Path work;

    @BeforeEach
    void start() throws Exception {
        h = new TaskHarness();
        work = TaskHarness.folder("ready");
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        TaskHarness.delete(work);
        // no viewer, X server or /in folder of a ready viewer outlives it
        waitUntil(() -> processesNaming(ReadyViewer.STAND_IN) == 0, 10, null);
        waitUntil(() -> processesNaming(CellDisplay.CELL_DIR) == 0, 10, null);
    }

    /** A task's cell as OpenTask makes it for {@code command} (the viewer on the stand-in), at level untrusted. */
    private ReadyViewers.Ask ask(List<String> command, Limits limits, Path file) {
        CellSpec spec = new CellSpec(
                "sandbox",
                "host",
                command,
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                Path.of(Intake.OUT),
                Network.NONE,
                limits,
                TaskFiles.NONE);
        return new ReadyViewers.Ask(
                new ReadyViewers.Key("untrusted", NetworkAccess.NONE, spec, SMALL),
                file,
                file.getFileName().toString(),
                Network.NONE,
                new TaskDirs(work.resolve("tasks")));
    }

    @Test
    void aReadyViewerShowsTheFileItIsHandedOnceAndTheNextOneIsAnotherCell() throws Exception {
        Path invoice = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), work.resolve("invoice.pdf"));
        Path other = ViewTaskTest.hostilePdf(work, 1);
        ReadyViewers.Ask first = ask(List.of("mupdf", ReadyViewer.STAND_IN), Limits.DEFAULT, invoice);
        try (ReadyViewers viewers = new ReadyViewers(() -> h.engine)) {
            assertThat(viewers.take(first))
                    .as("none is ready before a task asked")
                    .isNull();
            viewers.keep(first);
            waitUntil(() -> viewers.ready() == ReadyViewers.KEEP, 60, null);

            ReadyViewer a = viewers.take(first);
            ReadyViewer b = viewers.take(first);
            assertThat(a).isNotNull();
            assertThat(b).isNotNull().isNotSameAs(a);
            assertThat(viewers.take(first)).as("each is handed out once").isNull();
            assertThat(standInShown(a))
                    .as("waiting, it shows the dark stand-in, no page")
                    .isTrue();
            assertThat(standInShown(b)).isTrue();

            try (Cell cellA = a.handOver(invoice, "invoice.pdf", devNull(), Network.NONE)) {
                waitUntil(() -> pageShown(a), 20, null);
                int[] shownA = screen(a);
                assertThat(standInShown(b))
                        .as("the other ready viewer still waits: it never saw the file")
                        .isTrue();

                try (Cell cellB = b.handOver(other, other.getFileName().toString(), devNull(), Network.NONE)) {
                    assertThat(cellB.id()).isNotEqualTo(cellA.id());
                    waitUntil(() -> pageShown(b), 20, null);
                    assertThat(differing(screen(b), shownA))
                            .as("the second shows its own file, not the first's")
                            .isGreaterThan(1000);
                    assertThat(differing(screen(a), shownA))
                            .as("and the first still its own")
                            .isLessThan(1000);
                    cellB.kill("closed");
                }
                cellA.kill("closed");
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void aTaskWhoseCellDiffersInAnythingButItsFileFindsNoReadyViewer() throws Exception {
        Path invoice = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), work.resolve("invoice.pdf"));
        ReadyViewers.Ask asked = ask(List.of("mupdf", ReadyViewer.STAND_IN), Limits.DEFAULT, invoice);
        try (ReadyViewers viewers = new ReadyViewers(() -> h.engine)) {
            viewers.keep(asked);
            waitUntil(() -> viewers.ready() == ReadyViewers.KEEP, 60, null);
            Limits d = Limits.DEFAULT;
            Limits less =
                    new Limits(d.memoryBytes() / 2, d.maxPids(), d.cpus(), d.cpuTime(), d.timeout(), d.diskBytes());
            assertThat(viewers.take(ask(List.of("mupdf", ReadyViewer.STAND_IN), less, invoice)))
                    .as("other limits")
                    .isNull();
            ReadyViewers.Key k = asked.key();
            assertThat(viewers.take(new ReadyViewers.Ask(
                            new ReadyViewers.Key("trusted", k.network(), k.spec(), k.size()),
                            invoice,
                            "invoice.pdf",
                            Network.NONE,
                            asked.dirs())))
                    .as("another level")
                    .isNull();
            assertThat(viewers.take(new ReadyViewers.Ask(
                            new ReadyViewers.Key(k.level(), k.network(), k.spec(), WindowSize.fixed(800, 600)),
                            invoice,
                            "invoice.pdf",
                            Network.NONE,
                            asked.dirs())))
                    .as("another window size")
                    .isNull();
            assertThat(viewers.ready()).as("all still ready").isEqualTo(ReadyViewers.KEEP);
        }
        assertThat(Files.list(work.resolve("tasks")).toList())
                .as("their /in folders are gone with them")
                .isEmpty();
    }

    /**
     * What the viewer says before a task takes it goes nowhere; from then on it goes to the task's stream, and it
     * reopens the stand-in's path to find the task's file there. (A shell that passes SIGHUP on to mupdf, and says
     * what it finds at the path.)
     */
    @Test
    void whatTheViewerSaysAfterTheHandOverReachesTheTasksStreamAndItFindsTheFileAtTheStandInsPath() throws Exception {
        Path invoice = Files.copy(Path.of("../examples/invoice.pdf").toAbsolutePath(), work.resolve("invoice.pdf"));
        String reporter = "echo before-the-task >&2; mupdf \"$1\" & m=$!;"
                + " trap 'kill -HUP $m; echo reloaded: $(head -c 8 \"$1\"), $(wc -c < \"$1\") bytes >&2' HUP;"
                + " while kill -0 $m 2>/dev/null; do wait $m; done";
        ReadyViewers.Ask asked =
                ask(List.of("/bin/sh", "-c", reporter, "sh", ReadyViewer.STAND_IN), Limits.DEFAULT, invoice);
        try (ReadyViewers viewers = new ReadyViewers(() -> h.engine)) {
            viewers.keep(asked);
            waitUntil(() -> viewers.ready() == ReadyViewers.KEEP, 60, null);
            ReadyViewer v = viewers.take(asked);
            int[] err = Libc.pipe();
            Path said = work.resolve("said");
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    StringBuilder b = new StringBuilder();
                    for (byte[] c; (c = Libc.read(err[0], 4096)).length > 0; ) {
                        b.append(new String(c, StandardCharsets.UTF_8));
                    }
                    Files.writeString(said, b);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            int in = Libc.openReadOnly("/dev/null"), out = Libc.openReadOnly("/dev/null");
            try (Cell cell = v.handOver(invoice, "invoice.pdf", Stdio.descriptors(in, out, err[1]), Network.NONE)) {
                for (int fd : new int[] {in, out, err[1]}) {
                    Libc.close(fd); // the relays hold their own
                }
                waitUntil(() -> pageShown(v), 20, null);
                cell.kill("closed");
                cell.waitFor();
            } finally {
                v.close();
            }
            reader.join(10_000);
            assertThat(Files.readString(said))
                    .as("only what it said once it was the task's, and the file it found is the task's")
                    .isEqualTo("reloaded: %PDF-1.7, " + Files.size(invoice) + " bytes\n");
        }
    }

    private static Stdio devNull() {
        Path n = Path.of("/dev/null");
        return new Stdio(n, n, n);
    }

    private static int[] screen(ReadyViewer v) throws Exception {
        CellDisplay d = v.display();
        try (CellFrames f =
                CellFrames.open(d.screenFile(), d.width(), d.height(), java.time.Duration.ofSeconds(5), () -> true)) {
            f.read();
            return f.pixels().clone();
        }
    }

    private static boolean standInShown(ReadyViewer v) {
        try {
            int[] px = screen(v);
            // (the X server's pointer, drawn into its screen, has a few white pixels)
            return count(px, ReadyViewer.STAND_IN_RGB) > 100_000 && count(px, 0xffffff) < 1000;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean pageShown(ReadyViewer v) {
        try {
            int[] px = screen(v);
            return count(px, 0xffffff) > 100_000 && count(px, ReadyViewer.STAND_IN_RGB) < 1000;
        } catch (Exception e) {
            return false;
        }
    }

    private static long count(int[] px, int rgb) {
        return Arrays.stream(px).filter(c -> c == rgb).count();
    }

    private static long differing(int[] a, int[] b) {
        long n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
