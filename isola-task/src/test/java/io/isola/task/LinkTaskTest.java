package io.isola.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.trust.Marks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code open URL} without a network from the front-end (LinkFetchTest has the real proxy): the fetch is refused, and
 * whatever comes out carries the link as origin.
 */
class LinkTaskTest extends WithTasks {

    @Test
    void theBuiltInFetchIsRefusedBecauseTheCellHasNoNetwork() {
        String builtIn = new String(readBuiltIn());
        var r = h.link(builtIn, "https://example.com/report.pdf");
        assertThat(r.code()).isNotZero();
        assertThat(r.report()).contains("example.com is untrusted", "the fetch was refused", "no network");
        assertThat(r.report()).doesNotContain("kept");
        assertThat(h.auditLines()).anyMatch(l -> l.contains("connection.blocked"));
    }

    @Test
    void whatAFetchLeavesIsTaintedWithTheLinkAsOrigin() throws Exception {
        // The fetcher is the policy's to choose; this one writes what a download would, without a network.
        String p = """
                version = 1
                [level.untrusted]
                persistence = "quarantine"
                [level.untrusted.handlers]
                "x-scheme-handler/https" = ["/bin/sh", "-c", "echo page > {output}/{name}"]
                "text/*" = ["cat", "{file}"]
                """;
        var r = h.link(p, "https://downloads.example.net/files/paper.pdf?x=1");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("page\n"); // then opened by the level's handler for what it is
        Path kept = OpenTaskTest.keptFile(r.report());
        assertThat(kept.getFileName().toString()).isEqualTo("paper.pdf");
        Marks m = Marks.read(kept);
        assertThat(m.get(Marks.XDG_ORIGIN)).isEqualTo("https://downloads.example.net/files/paper.pdf?x=1");
        assertThat(m.get(Marks.TRUST)).isEqualTo("untrusted");
    }

    @Test
    void aLinkThatIsNotHttpIsRefusedWithAClearMessage() {
        var r = h.link(new String(readBuiltIn()), "file:///etc/passwd");
        assertThat(r.report()).contains("is not an http or https link");
    }

    @Test
    void aTrustedOriginIsJudgedByTheRealHost() {
        String p = """
                version = 1
                [[rule]]
                name = "intranet"
                trust = "trusted"
                origins = ["intranet.example.com"]
                [level.untrusted.handlers]
                "x-scheme-handler/https" = ["true"]
                [level.trusted.handlers]
                "x-scheme-handler/https" = ["true"]
                """;
        assertThat(h.link(p, "https://intranet.example.com@evil.example.org/x").report())
                .contains("evil.example.org is untrusted");
        assertThat(h.link(p, "https://intranet.example.com/x").report()).contains("is trusted");
    }

    static byte[] readBuiltIn() {
        try (var in = io.isola.core.policy.PolicyFile.class.getResourceAsStream("default-policy.toml")) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
