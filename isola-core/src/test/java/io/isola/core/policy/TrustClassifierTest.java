package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.RealFiles;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real files with real xattrs, classified as {@code isola open} and {@code isola trust explain} do: by the real path,
 * the marks read from the file and the hash of its content.
 */
@Tag("root")
class TrustClassifierTest {
    @TempDir
    Path tmp;

    /** Trusted by the policy; under target/ because the policy refuses to trust anything in /tmp. */
    Path trusted;
    /** Named by no rule. */
    Path elsewhere;

    Seal seal;
    TrustClassifier classifier;

    @BeforeEach
    void setUp() throws IOException {
        trusted = RealFiles.underTarget("trusted");
        elsewhere = RealFiles.xattrCapable(tmp);
        assertThat(RealFiles.supportsUserXattrs(trusted))
                .as("target/ keeps user xattrs")
                .isTrue();
        seal = Seal.open(tmp.resolve("state/seal.key"));
        Policy policy = PolicyFile.parse("""
                [[rule]]
                name = "intranet"
                trust = "trusted"
                origins = ["https://intranet.example.com/*"]

                [[rule]]
                name = "work"
                trust = "trusted"
                directories = ["%s"]
                """.formatted(trusted), "test policy", Path.of("/home/alice"));
        classifier = new TrustClassifier(policy, seal);
    }

    @AfterEach
    void tearDown() throws IOException {
        RealFiles.deleteTree(trusted);
    }

    @Test
    void fileUnderTheTrustedDirectoryIsTrusted() throws IOException {
        Verdict v = classify(Files.writeString(trusted.resolve("notes.txt"), "mine"));
        assertThat(v.level()).isEqualTo(TrustLevel.TRUSTED);
        assertThat(v.rule().name()).isEqualTo("work");
        assertThat(v.reason()).isEqualTo("rule 'work' (line 6) matches: trusted if file is under " + trusted);
    }

    @Test
    void fileInASubdirectoryOfTheTrustedDirectoryIsTrusted() throws IOException {
        Files.createDirectories(trusted.resolve("a/b"));
        assertThat(classify(Files.writeString(trusted.resolve("a/b/c.txt"), "x"))
                        .level())
                .isEqualTo(TrustLevel.TRUSTED);
    }

    @Test
    void fileNoRuleNamesIsUntrusted() throws IOException {
        Verdict v = classify(Files.writeString(elsewhere.resolve("x.txt"), "x"));
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.rule()).isNull();
        assertThat(v.reason()).isEqualTo("no rule of test policy matches it, and anything not named is untrusted");
    }

    @Test
    void symlinkInTheTrustedDirectoryIsJudgedByWhereItReallyPoints() throws IOException {
        Path outside = Files.writeString(elsewhere.resolve("evil.txt"), "evil");
        Path link = Files.createSymbolicLink(trusted.resolve("looks-mine.txt"), outside);

        // the link's own place would pass, which is why the caller resolves it first
        assertThat(classifier
                        .file(link, "text/plain", Marks.NONE, sha256(outside))
                        .level())
                .isEqualTo(TrustLevel.TRUSTED);
        Verdict v = classify(link);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).startsWith("no rule of test policy matches it");
    }

    @Test
    void downloadSavedIntoTheTrustedDirectoryStaysUntrustedAndTheReasonNamesItsOrigin() throws IOException {
        Path f = Files.writeString(trusted.resolve("invoice.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, "xdg.origin.url", "https://evil.example/invoice.pdf");

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason())
                .isEqualTo(
                        "it was downloaded from https://evil.example/invoice.pdf, and no rule " + "trusts that origin");
    }

    @Test
    void anOriginMarkCannotRaiseTrustBecauseAnyOwnerOfTheFileCanForgeIt() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("handbook.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, "xdg.origin.url", "https://intranet.example.com/handbook.pdf");

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason())
                .contains("its origin https://intranet.example.com/handbook.pdf is trusted, but an "
                        + "origin mark is only a claim");
    }

    @Test
    void aTrustedOriginMarkKeepsAFileInATrustedPlaceTrusted() throws IOException {
        Path f = Files.writeString(trusted.resolve("handbook.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, "xdg.origin.url", "https://intranet.example.com/handbook.pdf");
        assertThat(classify(f).level()).isEqualTo(TrustLevel.TRUSTED);
    }

    @Test
    void lookAlikeOriginMarkIsUntrustedEvenInTheTrustedDirectory() throws IOException {
        Path f = Files.writeString(trusted.resolve("h.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, "xdg.origin.url", "https://intranet.example.com@evil.example/h.pdf");
        assertThat(classify(f).level()).isEqualTo(TrustLevel.UNTRUSTED);
    }

    // ---- every origin mark is judged: an owner can add a mark, never take the weight of another one away

    @Test
    void anAddedIsolaOriginNamingATrustedSiteCannotHideAnUntrustedDownloadOrigin() throws IOException {
        Path f = Files.writeString(trusted.resolve("invoice.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, Marks.XDG_ORIGIN, "https://evil.example/invoice.pdf");
        RealFiles.setXattr(f, Marks.ORIGIN, "https://intranet.example.com/invoice.pdf");

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason())
                .isEqualTo(
                        "it was downloaded from https://evil.example/invoice.pdf, and no rule " + "trusts that origin");
    }

    /** Each origin mark in turn names an untrusted site while the others name the trusted one. */
    @ParameterizedTest
    @ValueSource(strings = {Marks.ORIGIN, Marks.XDG_ORIGIN, Marks.XDG_REFERRER})
    void theLeastTrustedOriginMarkWinsWhicheverMarkItIs(String untrustedMark) throws IOException {
        Path f = Files.writeString(trusted.resolve("doc.pdf"), "%PDF-1.4");
        for (String mark : new String[] {Marks.ORIGIN, Marks.XDG_ORIGIN, Marks.XDG_REFERRER}) {
            RealFiles.setXattr(
                    f,
                    mark,
                    mark.equals(untrustedMark)
                            ? "https://evil.example/doc.pdf"
                            : "https://intranet.example.com/doc.pdf");
        }
        Verdict v = classify(f);
        assertThat(v.level()).as(untrustedMark).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("https://evil.example/doc.pdf");
        assertThat(v.evidence())
                .filteredOn(Verdict.Evidence::decided)
                .singleElement()
                .satisfies(e -> assertThat(e.source()).isEqualTo("user." + untrustedMark));
    }

    @Test
    void theVerdictListsEveryPieceOfEvidenceAndWhichOneDecided() throws IOException {
        Path f = Files.writeString(trusted.resolve("report.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, Marks.ORIGIN, "https://intranet.example.com/r.pdf");
        RealFiles.setXattr(f, Marks.XDG_ORIGIN, "https://evil.example/r.pdf");

        Verdict v = classify(f);
        assertThat(v.evidence())
                .extracting(Verdict.Evidence::source, e -> e.level().word(), Verdict.Evidence::decided)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("place", "trusted", false),
                        org.assertj.core.groups.Tuple.tuple("user." + Marks.ORIGIN, "trusted", false),
                        org.assertj.core.groups.Tuple.tuple("user." + Marks.XDG_ORIGIN, "untrusted", true));
    }

    @Test
    void aFileUrlOriginIsJudgedByThePlaceItNames() throws IOException {
        Path f = Files.writeString(trusted.resolve("summary.txt"), "made from a trusted file");
        RealFiles.setXattr(f, Marks.ORIGIN, trusted.resolve("notes.txt").toUri().toString());
        assertThat(classify(f).level()).isEqualTo(TrustLevel.TRUSTED);

        RealFiles.setXattr(
                f, Marks.ORIGIN, elsewhere.resolve("mail.txt").toUri().toString());
        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("made from " + elsewhere.resolve("mail.txt"), "no rule trusts");
    }

    @Test
    void anOriginUrlServersCouldReadTwoWaysIsUntrustedAndSaysWhy() throws IOException {
        Path f = Files.writeString(trusted.resolve("h.pdf"), "%PDF-1.4");
        RealFiles.setXattr(f, Marks.XDG_ORIGIN, "https://intranet.example.com/docs/..%2fadmin/h.pdf");
        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("cannot be judged", "encoded separator");
    }

    @Test
    void originMarkThatIsNotAUrlMakesTheFileUntrusted() throws IOException {
        Path f = Files.writeString(trusted.resolve("f.txt"), "x");
        RealFiles.setXattr(f, "xdg.origin.url", "not a url");
        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).isEqualTo("its origin mark 'not a url' is not a URL Isola can judge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"untrusted", "TRUSTED", "yes", ""})
    void anyIsolaTrustMarkButTrustedMakesTheFileUntrustedEvenInTheTrustedDirectory(String mark) throws IOException {
        Path f = Files.writeString(trusted.resolve("out.txt"), "from a cell");
        RealFiles.setXattr(f, Marks.TRUST, mark);
        RealFiles.setXattr(f, Marks.CELL, "cell-9");
        RealFiles.setXattr(f, Marks.ORIGIN, "https://evil.example/");

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason())
                .isEqualTo("marked untrusted by Isola: it left cell cell-9, origin https://evil.example/");
    }

    @Test
    void trustedMarkWithoutASealIsIgnored() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("claims-trust.txt"), "x");
        RealFiles.setXattr(f, Marks.TRUST, "trusted");
        RealFiles.setXattr(f, Marks.CELL, "cell-1");
        RealFiles.setXattr(f, Marks.SHA256, sha256(f));

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("(a 'trusted' mark without a valid seal was ignored)");
    }

    @Test
    void trustedMarkWithAForgedSealIsIgnored() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("forged.txt"), "x");
        mark(f, TrustLevel.TRUSTED, sha256(f), "cell-1", "0".repeat(64));
        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("a 'trusted' mark without a valid seal was ignored");
    }

    @Test
    void trustedMarkSealedByAnotherHostIsIgnored() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("other-host.txt"), "x");
        Seal other = Seal.open(tmp.resolve("other/seal.key"));
        mark(
                f,
                TrustLevel.TRUSTED,
                sha256(f),
                "cell-1",
                other.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, sha256(f), "cell-1"));
        assertThat(classify(f).level()).isEqualTo(TrustLevel.UNTRUSTED);
    }

    @Test
    void sealedSafeViewOverTheActualContentIsTrustedAnywhere() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("rebuilt.pdf"), "%PDF rebuilt from pixels");
        String sha = sha256(f);
        mark(f, TrustLevel.TRUSTED, sha, "cell-42", seal.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, sha, "cell-42"));

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.TRUSTED);
        assertThat(v.rule()).isNull();
        assertThat(v.reason())
                .isEqualTo("Isola's sealed mark: a safe view rebuilt from pixels by the host in cell "
                        + "cell-42, content unchanged since; it vouches for itself, whatever its origin marks say");
    }

    @Test
    void sealedMarkNoLongerCountsOnceTheContentChanged() throws IOException {
        Path f = Files.writeString(elsewhere.resolve("rebuilt.pdf"), "%PDF rebuilt from pixels");
        String sha = sha256(f);
        mark(f, TrustLevel.TRUSTED, sha, "cell-42", seal.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, sha, "cell-42"));
        Files.writeString(f, "%PDF with something added later");

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("a 'trusted' mark without a valid seal was ignored");
    }

    // ---- links

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://intranet.example.com@evil.com/",
                "https://intranet.example.com.evil.com/",
                "https://evil.com/?u=https://intranet.example.com/",
                "https://evil.com/#intranet.example.com",
                "http://intranet.example.com/"
            })
    void lookAlikeLinksAreUntrusted(String url) {
        Verdict v = classifier.link(URI.create(url));
        assertThat(v.level()).as(url).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason())
                .isEqualTo("no rule of test policy trusts " + URI.create(url).getHost()
                        + ", and anything not named is untrusted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://intranet.example.com/", "https://INTRANET.example.com./wiki"})
    void theRealIntranetLinkIsTrustedByItsRule(String url) {
        Verdict v = classifier.link(URI.create(url));
        assertThat(v.level()).isEqualTo(TrustLevel.TRUSTED);
        assertThat(v.reason())
                .isEqualTo(
                        "rule 'intranet' (line 1) matches: trusted if origin is " + "https://intranet.example.com/*");
    }

    @Test
    void exampleSubdomainRuleDoesNotTrustTheBareDomainOrALookAlike() {
        TrustClassifier c = new TrustClassifier(PolicyFileTest.example(), seal);
        assertThat(c.link(URI.create("https://wiki.corp.example.com/")).level()).isEqualTo(TrustLevel.TRUSTED);
        assertThat(c.link(URI.create("https://corp.example.com/")).level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(c.link(URI.create("https://badcorp.example.com/")).level()).isEqualTo(TrustLevel.UNTRUSTED);
    }

    @Test
    void uriAcceptsOnlyUrlsWithSchemeAndHost() {
        assertThat(TrustClassifier.uri(" https://example.com/a ")).isEqualTo(URI.create("https://example.com/a"));
        assertThat(TrustClassifier.uri("example.com")).isNull();
        assertThat(TrustClassifier.uri("/etc/passwd")).isNull();
        assertThat(TrustClassifier.uri("https://exa mple.com/")).isNull();
        assertThat(TrustClassifier.uri("mailto:a@example.com")).isNull();
    }

    // ---- helpers

    /** As the caller does: the real path, the marks on it and the hash of its content. */
    private Verdict classify(Path file) throws IOException {
        Path real = file.toRealPath();
        return classifier.file(real, "text/plain", Marks.read(real), sha256(real));
    }

    private static void mark(Path f, TrustLevel trust, String sha, String cell, String sealText) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Marks.TRUST, trust.word());
        m.put(Marks.KIND, Seal.Kind.SAFE_VIEW.word());
        m.put(Marks.CELL, cell);
        m.put(Marks.SHA256, sha);
        m.put(Marks.SEAL, sealText);
        new Marks(m).write(f);
    }

    static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
