package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.OutputQuota;
import io.isola.core.trust.TrustLevel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyFileTest {
    /** Not under /tmp: the policy refuses to trust anything there, and home-relative rules must stay trustable. */
    private static final Path HOME = Path.of("/home/alice");

    private static final Path EXAMPLE = Path.of("../examples/policy.toml");

    @Test
    void exampleParsesWithItsRulesInFileOrderAndTheLineOfEachRuleHeader() {
        Policy p = example();

        assertThat(p.source()).isEqualTo(EXAMPLE.toString());
        assertThat(p.rules()).extracting(Rule::name).containsExactly("company intranet", "my own writing", "downloads");
        // the lines of the three [[rule]] headers in examples/policy.toml
        assertThat(p.rules()).extracting(Rule::line).containsExactly(30, 35, 41);
        assertThat(p.rules())
                .extracting(Rule::trust)
                .containsExactly(TrustLevel.TRUSTED, TrustLevel.TRUSTED, TrustLevel.UNTRUSTED);
        Rule intranet = p.rules().get(0);
        assertThat(intranet.origins())
                .extracting(OriginPattern::text)
                .containsExactly("https://intranet.example.com/*", "*.corp.example.com");
        assertThat(intranet.directories()).isEmpty();
        Rule mine = p.rules().get(1);
        assertThat(mine.directories()).containsExactly(HOME.resolve("Documents/mine"));
        assertThat(mine.types()).containsExactly("text/*", "application/pdf");
        assertThat(p.rules().get(2).directories()).containsExactly(HOME.resolve("Downloads"));
    }

    @Test
    void exampleLevelSettingsAreReadWithUnitsAndDefaults() {
        Policy p = example();

        LevelSettings u = p.level(TrustLevel.UNTRUSTED);
        assertThat(u.engine()).isEqualTo("sandbox");
        assertThat(u.image()).isEqualTo("host");
        assertThat(u.persistence()).isEqualTo(Persistence.QUARANTINE);
        assertThat(u.limits().memoryBytes()).isEqualTo(512L << 20);
        assertThat(u.limits().maxPids()).isEqualTo(256);
        assertThat(u.limits().cpus()).isEqualTo(1.0);
        assertThat(u.limits().timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(u.limits().cpuTime()).isNull(); // commented out in the example
        assertThat(u.limits().diskBytes()).isEqualTo(256L << 20);
        assertThat(u.quota()).isEqualTo(new OutputQuota(1000, 256L << 20, OutputQuota.DEFAULT.maxDepth()));
        assertThat(u.handlerFor("application/pdf")).containsExactly("pdftotext", "-layout", "{file}", "-");

        LevelSettings t = p.level(TrustLevel.TRUSTED);
        assertThat(t.persistence()).isEqualTo(Persistence.NEW_VERSION);
        assertThat(t.limits().timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(t.limits().memoryBytes()).isEqualTo(512L << 20); // not given: the default
        assertThat(t.handlerFor("text/plain")).containsExactly("cat", "{file}");
    }

    @Test
    void builtInPolicyParsesAndTrustsNothing() {
        Policy p = PolicyFile.builtIn(HOME);

        assertThat(p.source()).isEqualTo("built-in policy");
        assertThat(p.rules()).isEmpty();
        assertThat(p.firstMatch(new Facts(
                        HOME.resolve("Documents/a.pdf"),
                        "application/pdf",
                        java.net.URI.create("https://intranet.example.com/"))))
                .isNull();
        assertThat(p.level(TrustLevel.UNTRUSTED).persistence()).isEqualTo(Persistence.DISCARD);
        assertThat(p.level(TrustLevel.TRUSTED).persistence()).isEqualTo(Persistence.NEW_VERSION);
        assertThat(p.level(TrustLevel.UNTRUSTED).handlerFor("x-scheme-handler/https"))
                .contains("--proto", "=https");
    }

    @Test
    void emptyPolicyGivesDefaultsForBothLevels() {
        Policy p = PolicyFile.parse("", "empty.toml", HOME);

        assertThat(p.rules()).isEmpty();
        assertThat(p.level(TrustLevel.UNTRUSTED).persistence()).isEqualTo(Persistence.DISCARD);
        assertThat(p.level(TrustLevel.TRUSTED).persistence()).isEqualTo(Persistence.NEW_VERSION);
        assertThat(p.level(TrustLevel.UNTRUSTED).engine()).isEqualTo("sandbox");
        // no [level.NAME.handlers]: the built-in handlers, so a policy of rules alone still opens files
        Policy builtIn = PolicyFile.builtIn(HOME);
        for (TrustLevel t : TrustLevel.values()) {
            assertThat(p.level(t).handlers())
                    .isEqualTo(builtIn.level(t).handlers())
                    .isNotEmpty();
        }
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] latin1 = "# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> PolicyFile.fromBytes(latin1, "latin1.toml", HOME))
                .isInstanceOf(PolicyException.class)
                .hasMessage("latin1.toml: not UTF-8 text: save the policy as UTF-8");
    }

    @Test
    void moreThanTheCapIsRefusedEvenWhenTheReaderDidNotStop() {
        byte[] big = new byte[PolicyFile.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) '#');
        assertThatThrownBy(() -> PolicyFile.fromBytes(big, "big.toml", HOME))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("big.toml: larger than 1 MiB: ");
        big[big.length - 1] = '\n';
        assertThat(PolicyFile.fromBytes(java.util.Arrays.copyOf(big, PolicyFile.MAX_BYTES), "at-cap.toml", HOME)
                        .rules())
                .isEmpty();
    }

    static Policy example() {
        try {
            return PolicyFile.fromBytes(Files.readAllBytes(EXAMPLE), EXAMPLE.toString(), HOME);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- syntax and keys

    @Test
    void tomlSyntaxErrorNamesItsLine() {
        fails("""
                version = 1

                [[rule]
                name = "x"
                """, 3, "not valid TOML: ").message().doesNotContain("(line ");
    }

    @Test
    void duplicateTomlKeyNamesTheLineOfTheSecond() {
        fails("""
                [[rule]]
                name = "a"
                trust = "untrusted"
                trust = "trusted"
                directories = ["/srv/a"]
                """, 4, "not valid TOML");
    }

    @Test
    void unknownTopLevelKeyIsNamedWithTheKnownOnes() {
        fails("""
                version = 1
                rules = []
                """, 2, "unknown key 'rules' in the top level (known: guard, level, network, rule, version)");
    }

    @Test
    void unknownKeyInRule() {
        fails("""
                [[rule]]
                name = "docs"
                trust = "untrusted"
                directory = ["/srv/docs"]
                """, 4, "unknown key 'directory' in [[rule]] (known: directories, name, origins, trust, types)");
    }

    @Test
    void unknownKeyInLevel() {
        fails("""
                [level.untrusted]
                engine = "sandbox"
                net = "none"
                """, 3, "unknown key 'net' in [level.untrusted] (known: ");
    }

    @Test
    void unknownLevelName() {
        fails("""
                version = 1

                [level.paranoid]
                engine = "vm"
                """, 3, "unknown trust level 'paranoid': the levels are trusted and untrusted");
    }

    @Test
    void versionOtherThanOneIsRefused() {
        fails("# a comment\nversion = 2\n", 2, "version must be 1");
        fails("version = \"1\"\n", 1, "version must be 1");
    }

    // ---- wrong value types

    @Test
    void trustThatIsNotAStringIsRefused() {
        fails(rule("trust = 3", "directories = [\"/srv/a\"]"), 3, "trust must be a string in quotes");
    }

    @Test
    void trustWordOtherThanTrustedOrUntrustedIsRefused() {
        fails(
                rule("trust = \"maybe\"", "directories = [\"/srv/a\"]"),
                3,
                "trust must be \"trusted\" or \"untrusted\", not \"maybe\"");
    }

    @Test
    void originsThatIsNotAListIsRefused() {
        fails(
                rule("trust = \"untrusted\"", "origins = \"x\""),
                4,
                "origins must be a list of strings, e.g. [\"a\", \"b\"]");
    }

    @Test
    void listWithANonStringIsRefused() {
        fails(
                rule("trust = \"untrusted\"", "directories = [\"/srv/a\", 3]"),
                4,
                "directories must be a list of strings");
    }

    @Test
    void pidsMustBePositive() {
        fails(level("pids = -1"), 3, "pids must be a positive whole number");
        fails(level("pids = 0"), 3, "pids must be a positive whole number");
        fails(level("pids = 1.5"), 3, "pids must be a positive whole number");
        fails(level("pids = 99999999999"), 3, "pids must be a positive whole number");
    }

    @Test
    void memoryMustBeASize() {
        fails(level("memory = \"lots\""), 3, "memory 'lots' is not a size: use e.g. 64M or 2G");
        fails(level("memory = 512"), 3, "memory must be a string in quotes");
    }

    @Test
    void timeoutMustBeADuration() {
        fails(
                level("timeout = \"forever\""),
                3,
                "timeout 'forever' is not a duration: use e.g. 500ms, 10s, 2m, 1h or 1h30m");
    }

    @Test
    void hugeTimeoutIsAPolicyErrorNotACrash() {
        fails(level("timeout = \"9999999999999999h\""), 3, "timeout '9999999999999999h' is not a duration");
    }

    @Test
    void engineMustBeKnown() {
        fails(level("engine = \"xen\""), 3, "unknown engine 'xen': use sandbox or vm");
    }

    @Test
    void persistenceMustBeKnown() {
        fails(level("persistence = \"keep\""), 3, "persistence must be discard, quarantine or new-version, not 'keep'");
    }

    @Test
    void cpusMustBeANonNegativeNumber() {
        fails(level("cpus = -1"), 3, "cpus must be a number, e.g. 0.5 or 2");
        fails(level("cpus = \"two\""), 3, "cpus must be a number");
    }

    // Limits refuses a CPU share under the kernel's 0.01; from a policy that must still be a line-numbered policy
    // error about the key, not the command line's "--cpus".
    @Test
    void cpusBelowTheKernelsSmallestShareIsAPolicyErrorWithItsLine() {
        fails(level("cpus = 0.001"), 3, "cpus must be 0 (no cap) or at least 0.01");
    }

    @Test
    void levelThatIsNotATableIsRefused() {
        fails("level = 3\n", 1, "levels are written as [level.untrusted] and [level.trusted] tables");
        fails("[level]\nuntrusted = 3\n", 2, "[level.untrusted] must be a table");
    }

    @Test
    void ruleThatIsNotAnArrayOfTablesIsRefused() {
        fails("version = 1\nrule = \"x\"\n", 2, "rules are written as [[rule]] tables");
    }

    @Test
    void handlerTypeMustBeAMimeTypeAndItsCommandNotEmpty() {
        fails("""
                [level.untrusted.handlers]
                "text/*" = ["cat", "{file}"]
                "PDF" = ["pdftotext"]
                """, 3, "'PDF' is not a MIME type");
        fails("""
                [level.trusted.handlers]
                "text/plain" = []
                """, 2, "the handler for text/plain is empty");
        fails("""
                [level.trusted]
                handlers = "cat"
                """, 2, "handlers must be a table");
    }

    @Test
    void ruleTypeMustBeAMimeType() {
        fails(
                rule("trust = \"untrusted\"", "types = [\"pdf\"]"),
                4,
                "'pdf' is not a MIME type: use e.g. application/pdf or text/*");
    }

    // ---- rules that could never match or would trust too much

    @Test
    void ruleWithoutTrustNamesTheRuleAndHowToFixIt() {
        fails(
                rule("name = \"docs\"", "directories = [\"/srv/docs\"]"),
                2,
                "rule 'docs' has no trust: add trust = \"trusted\" or \"untrusted\"");
    }

    @Test
    void unnamedRuleIsCalledByItsPosition() {
        fails("""
                [[rule]]
                trust = "untrusted"
                directories = ["/srv/a"]

                [[rule]]
                directories = ["/srv/b"]
                """, 5, "rule 'rule 2' has no trust");
    }

    @Test
    void ruleWithNoConditionsMatchesEverythingAndIsRefused() {
        fails(
                rule("name = \"all\"", "trust = \"untrusted\""),
                2,
                "rule 'all' matches everything: name the origins, directories or types");
    }

    @Test
    void trustedRuleWithOnlyTypesIsRefused() {
        fails(
                rule("name = \"pdfs\"", "trust = \"trusted\"\ntypes = [\"application/pdf\"]"),
                2,
                "rule 'pdfs' trusts a file type wherever it comes from, downloads included");
        fails(rule("name = \"any\"", "trust = \"trusted\"\ntypes = [\"*\"]"), 2, "trusts a file type wherever");
    }

    @Test
    void untrustedRuleWithOnlyTypesIsAllowed() {
        Policy p = PolicyFile.parse(
                rule("name = \"zips\"", "trust = \"untrusted\"\ntypes = [\"application/zip\"]"), "t.toml", HOME);
        assertThat(p.rules()).extracting(Rule::name).containsExactly("zips");
    }

    // A folder not yet made in /tmp is judged by /tmp itself, where anyone could make it first: the name must be one
    // nothing on the machine made (a stray /tmp/x, made by anyone, once turned this test red).
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/tmp",
                "/tmp/isola-never-made-5c1e",
                "/var/tmp/shared",
                "/dev/shm",
                "/var/mail",
                "/var",
                "/dev",
                "/srv/../tmp/isola-never-made-5c1e"
            })
    void trustingRootOrAPlaceWhereAnyoneCanDropFilesOrOneAboveItIsRefused(String dir) {
        fails(
                rule("name = \"r\"", "trust = \"trusted\"\ndirectories = [\"" + dir + "\"]"),
                2,
                "rule 'r' trusts " + Path.of(dir).normalize() + ", where anyone can put files");
    }

    @ParameterizedTest
    @ValueSource(strings = {"~", "~/", "/home/alice", "/home/alice/", "~/Documents/..", "/home/alice/."})
    void trustingTheHomeDirectoryItselfIsRefused(String dir) {
        fails(
                rule("name = \"home\"", "trust = \"trusted\"\ndirectories = [\"" + dir + "\"]"),
                2,
                "rule 'home' trusts /home/alice, where your downloads and mail attachments land too");
    }

    @Test
    void climbingOutOfTheHomeIntoTmpIsRefused() {
        fails(
                rule("name = \"r\"", "trust = \"trusted\"\ndirectories = [\"~/../../tmp\"]"),
                2,
                "rule 'r' trusts /tmp, where anyone can put files");
    }

    // Directories are stored as their real paths; a home reached through a symlink (as many systems have it) must
    // be compared as its real path too, or "~" would slip through as some other directory.
    @Test
    void trustingTheHomeIsRefusedWhenTheHomeIsASymlink() throws Exception {
        Path real = io.isola.core.RealFiles.underTarget("home-real");
        Path link = real.resolveSibling(real.getFileName() + "-link");
        try {
            Files.createSymbolicLink(link, real);
            for (String dir : List.of("~", real.toString(), link.toString())) {
                assertThatThrownBy(() -> PolicyFile.parse(
                                rule("name = \"h\"", "trust = \"trusted\"\ndirectories = [\"" + dir + "\"]"),
                                "t.toml",
                                link))
                        .as(dir)
                        .isInstanceOf(PolicyException.class)
                        .hasMessageContaining("where your downloads and mail attachments land too");
            }
        } finally {
            Files.deleteIfExists(link);
            io.isola.core.RealFiles.deleteTree(real);
        }
    }

    // A directory above the home holds the home, downloads included: trusting it trusts them too.
    @ParameterizedTest
    @ValueSource(strings = {"/home", "/home/"})
    void trustingADirectoryAboveTheHomeIsRefused(String dir) {
        fails(
                rule("name = \"homes\"", "trust = \"trusted\"\ndirectories = [\"" + dir + "\"]"),
                2,
                "rule 'homes' trusts /home, where your downloads and mail attachments land too");
    }

    @Test
    void untrustedRuleMayNameTheHomeOrTmp() {
        Policy p = PolicyFile.parse("""
                [[rule]]
                name = "home"
                trust = "untrusted"
                directories = ["~", "/tmp"]
                """, "t.toml", HOME);
        assertThat(p.rules().get(0).directories()).containsExactly(HOME, Path.of("/tmp"));
    }

    @Test
    void relativeDirectoryIsRefused() {
        fails(
                rule("trust = \"untrusted\"", "directories = [\"Documents\"]"),
                4,
                "'Documents' must be absolute or start with ~/");
    }

    @Test
    void directoryGivenAsASymlinkIsStoredAsThePlaceItPointsTo() throws Exception {
        Path real = io.isola.core.RealFiles.underTarget("policy-link");
        try {
            Path link = Files.createSymbolicLink(real.resolveSibling(real.getFileName() + "-link"), real);
            try {
                Policy p = PolicyFile.parse(
                        rule("trust = \"untrusted\"", "directories = [\"" + link + "\"]"), "t.toml", HOME);
                assertThat(p.rules().get(0).directories()).containsExactly(real);
            } finally {
                Files.delete(link);
            }
        } finally {
            io.isola.core.RealFiles.deleteTree(real);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*",
                "*.com",
                "http*",
                "ftp://x",
                "https://",
                "user@example.com",
                "*.*.example.com",
                "https://intranet.example.com:99999/*",
                "intranet.example.com:https",
                "https://intranet.example.com/a/%2e%2e/*"
            })
    void badOriginIsRefusedWithTheRuleLine(String origin) {
        fails(rule("trust = \"untrusted\"", "origins = [\"" + origin + "\"]"), 4, "origin '" + origin + "'");
    }

    @Test
    void originMessagesSayWhatIsWrong() {
        fails(rule("trust = \"untrusted\"", "origins = [\"*.com\"]"), 4, "trusts a whole top-level domain");
        fails(rule("trust = \"untrusted\"", "origins = [\"ftp://x\"]"), 4, "must use http or https");
        fails(rule("trust = \"untrusted\"", "origins = [\"*\"]"), 4, "needs a host name");
        fails(
                rule("trust = \"untrusted\"", "origins = [\"example.com:99999\"]"),
                4,
                "origin 'example.com:99999' has port '99999', which cannot be: a port is a number from 1 to 65535");
    }

    @Test
    void twoRulesWithTheSameConditionsAndOppositeTrustAreRefused() {
        fails(
                """
                [[rule]]
                name = "docs"
                trust = "trusted"
                directories = ["/srv/docs"]

                [[rule]]
                name = "not docs"
                trust = "untrusted"
                directories = ["/srv/docs/"]
                """,
                6,
                "rule 'not docs' can never match: rule 'docs' (line 1) has the same conditions and gives "
                        + "the opposite trust; remove one of them");
    }

    @Test
    void duplicateRulesAreRefusedEvenWrittenDifferently() {
        // same origins in another order, the same directory once via ~ and once spelled out
        fails("""
                [[rule]]
                name = "a"
                trust = "trusted"
                origins = ["example.com", "*.example.org"]
                directories = ["~/work"]

                [[rule]]
                name = "b"
                trust = "trusted"
                origins = ["*.example.org", "example.com"]
                directories = ["/home/alice/work"]
                """, 7, "rule 'b' can never match: rule 'a' (line 1) has the same conditions; remove one of them");
    }

    @Test
    void rulesThatDifferInAnyConditionAreKept() {
        Policy p = PolicyFile.parse("""
                [[rule]]
                name = "a"
                trust = "trusted"
                directories = ["/srv/docs"]
                types = ["application/pdf"]

                [[rule]]
                name = "b"
                trust = "untrusted"
                directories = ["/srv/docs"]
                """, "t.toml", HOME);
        assertThat(p.rules())
                .extracting(Rule::name, Rule::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", 1), org.assertj.core.groups.Tuple.tuple("b", 7));
    }

    @Test
    void errorsCarryExitCodeTwoForBadUsage() {
        PolicyException e = org.junit.jupiter.api.Assertions.assertThrows(
                PolicyException.class, () -> PolicyFile.parse("nonsense", "t.toml", HOME));
        assertThat(e.exitCode()).isEqualTo(2);
    }

    // ---- helpers

    private static String rule(String first, String rest) {
        return "version = 1\n[[rule]]\n" + first + "\n" + rest + "\n";
    }

    private static String level(String line) {
        return "version = 1\n[level.untrusted]\n" + line + "\n";
    }

    /** Parses {@code toml}, expecting a failure at {@code line} whose message contains {@code text}. */
    private static AbstractThrowableAssert<?, ? extends Throwable> fails(String toml, int line, String text) {
        return assertThatThrownBy(() -> PolicyFile.parse(toml, "t.toml", HOME))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("t.toml:" + line + ": ")
                .hasMessageContaining(text);
    }
}
