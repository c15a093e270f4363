package io.isola.guard;

import static io.isola.guard.GuardedPlace.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Sha256;
import io.isola.core.trust.Marks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Untrusted files open only in cells: every way a host program could reach a tainted file's content, tried by real
 * host programs against a guard watching a private tmpfs.
 */
@Tag("kernel")
class GuardAttackTest {
    private static final String EVIL = "https://evil.example/invoice.pdf";

    @TempDir
    Path tmp;

    private GuardedPlace g;
    private Path evil;

    @BeforeEach
    void guard() throws Exception {
        g = new GuardedPlace(tmp);
        evil = g.file("evil.pdf", "%PDF-1.7 hostile", "xdg.origin.url", EVIL);
        g.start();
    }

    @AfterEach
    void stop() throws Exception {
        g.close();
    }

    @Test
    void theOwnDocumentsOpenAsBefore() throws Exception {
        Path mine = g.file("mine.txt", "my own words");
        assertThat(run("cat", mine.toString())).isEqualTo(new GuardedPlace.Result(0, "my own words"));
    }

    @Test
    void aTaintedFileIsDeniedToEveryHostProgramRootIncluded() throws Exception {
        assertThat(run("cat", evil.toString()).denied()).isTrue();
        assertThat(run("head", "-c", "1", evil.toString()).denied()).isTrue();
        assertThat(g.eventually("audit.jsonl", "file.blocked"))
                .contains(evil.toString())
                .contains("/usr/bin/cat")
                .contains("isola open " + evil);
    }

    @Test
    void isolasUntrustedMarkAndAnUnjudgeableOriginDenyToo() throws Exception {
        Path out = g.file("out.txt", "left a cell", "isola.trust", "untrusted", "isola.cell", "c1");
        Path odd = g.file("odd.txt", "origin unknown", "isola.origin", "unknown");
        assertThat(run("cat", out.toString()).denied()).isTrue();
        assertThat(run("cat", odd.toString()).denied()).isTrue();
    }

    @Test
    void aPlaceThePolicyDistrustsDeniesFilesWithoutMarks() throws Exception {
        Path inbox = g.file("inbox/mail.eml", "From: someone");
        assertThat(run("cat", inbox.toString()).denied()).isTrue();
    }

    @Test
    void movingHardLinkingOrSymlinkingDoesNotLaunder() throws Exception {
        Path hard = g.place.resolve("hard.pdf");
        Path soft = g.place.resolve("soft.pdf");
        assertThat(run("ln", evil.toString(), hard.toString()).code()).isZero();
        assertThat(run("ln", "-s", evil.toString(), soft.toString()).code()).isZero();
        assertThat(run("cat", hard.toString()).denied()).isTrue();
        assertThat(run("cat", soft.toString()).denied()).isTrue();
        Path moved = g.place.resolve("sub/moved.pdf");
        Files.createDirectories(moved.getParent());
        assertThat(run("mv", evil.toString(), moved.toString()).code()).isZero();
        assertThat(run("cat", moved.toString()).denied()).isTrue();
    }

    @Test
    void copyingDoesNotLaunderWithOrWithoutItsMarks() throws Exception {
        Path copy = g.place.resolve("copy.pdf");
        assertThat(run("cp", evil.toString(), copy.toString()).denied()).isTrue();
        assertThat(run("cp", "--preserve=xattr", evil.toString(), copy.toString())
                        .denied())
                .isTrue();
        assertThat(run("sh", "-c", "cat < " + evil + " > " + copy).denied()).isTrue();
        assertThat(Files.exists(copy) ? Files.size(copy) : 0).isZero();
    }

    @Test
    void removingOrEditingTheMarksDoesNotLaunderOnceJudged() throws Exception {
        assertThat(run("cat", evil.toString()).denied()).isTrue(); // judged and recorded
        GuardedPlace.unmark(evil, Marks.XDG_ORIGIN);
        assertThat(run("cat", evil.toString()).denied()).isTrue();
        GuardedPlace.mark(evil, Marks.XDG_ORIGIN, "https://intranet.example.com/invoice.pdf"); // a trusted origin
        assertThat(run("cat", evil.toString()).denied()).isTrue();
        assertThat(g.eventually("guard/untrusted.tsv", evil.toString())).contains(EVIL);
    }

    @Test
    void aCopyAnAllowedProgramMadeWithoutTheMarksIsDeniedByItsContent() throws Exception {
        assertThat(run("cat", evil.toString()).denied()).isTrue(); // judged: its content goes into the record
        assertThat(g.eventually("guard/untrusted-content.tsv", Sha256.of(evil))).contains(evil.toString());
        Path copy = g.place.resolve("restored.pdf");
        assertThat(run(g.backup.toString(), evil.toString(), copy.toString()).code())
                .isZero(); // no xattrs copied
        assertThat(Marks.read(copy).isEmpty()).isTrue();

        GuardedPlace.Result r = run("cat", copy.toString());
        assertThat(r.denied()).as(r.out()).isTrue();
        assertThat(g.eventually("audit.jsonl", copy.toString())).contains("its content is that of " + evil);
        Path sameSize = g.file("same-size.pdf", "%PDF-1.7 kindly!"); // as long as the hostile one, other bytes
        assertThat(run("cat", sameSize.toString())).isEqualTo(new GuardedPlace.Result(0, "%PDF-1.7 kindly!"));
    }

    @Test
    void procSelfFdMmapAndExecNeedAnOpenThatIsDenied() throws Exception {
        assertThat(run("sh", "-c", "exec 3< " + evil + " && cat /proc/self/fd/3")
                        .denied())
                .isTrue();
        assertThat(run(
                                "perl",
                                "-e",
                                "open(my $f, '<', $ARGV[0]) or die \"open: $!\\n\"; "
                                        + "print 'read ', length(join('', <$f>))",
                                evil.toString())
                        .denied())
                .isTrue();
        assertThat(run(
                                "python3",
                                "-c",
                                "import mmap,sys\nwith open(sys.argv[1],'rb') as f: "
                                        + "print(mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)[:4])",
                                evil.toString())
                        .denied())
                .isTrue();
        Path script = g.file("run.sh", "#!/bin/sh\necho ran\n", "xdg.origin.url", EVIL);
        script.toFile().setExecutable(true);
        GuardedPlace.Result exec = run("sh", "-c", "exec " + script);
        assertThat(exec.denied()).as(exec.out()).isTrue();
    }

    @Test
    void aCellsUidOpensTheOriginal() throws Exception {
        String cellUid = Long.toString(Callers.FIRST_CELL_UID + 512L * 4242 + 3);
        assertThat(run("setpriv", "--reuid=" + cellUid, "--regid=" + cellUid, "--clear-groups", "cat", evil.toString()))
                .isEqualTo(new GuardedPlace.Result(0, "%PDF-1.7 hostile"));
        assertThat(run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", evil.toString())
                        .denied())
                .isTrue();
    }

    @Test
    void aFileAHostProgramCreatesInAMarkPlaceIsMarkedAndThenDenied() throws Exception {
        Path downloads = Files.createDirectories(g.place.resolve("Downloads"));
        Path got = downloads.resolve("got.pdf");
        assertThat(run("sh", "-c", "printf 'payload' > " + got).code()).isZero();
        assertThat(Marks.read(got).get(Marks.ORIGIN)).isEqualTo("unknown");
        assertThat(run("cat", got.toString()).denied()).isTrue();
        Path fromChrome = downloads.resolve("chrome.pdf"); // a downloader that writes its own origin keeps it
        Files.writeString(fromChrome, "");
        GuardedPlace.mark(fromChrome, Marks.XDG_ORIGIN, "https://intranet.example.com/a.pdf");
        assertThat(run("sh", "-c", "printf 'doc' >> " + fromChrome).code()).isZero();
        assertThat(Marks.read(fromChrome).get(Marks.ORIGIN)).isNull();
    }
}
