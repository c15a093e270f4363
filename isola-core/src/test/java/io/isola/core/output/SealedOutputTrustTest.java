package io.isola.core.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.core.Harvest;
import io.isola.core.Harvest.Kind;
import io.isola.core.OutputQuota;
import io.isola.core.RealFiles;
import io.isola.core.output.Harvester.EntryType;
import io.isola.core.policy.Persistence;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.policy.TrustClassifier.Verdict;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a seal may vouch for, as an attacker who owns the files tries it: files really persisted by the
 * {@link Persister}, copied with the real {@code cp --preserve=xattr}, their xattrs edited, and judged by the real
 * {@link TrustClassifier}. Only a safe view (rebuilt from pixels by the host) vouches on its own; a trusted task's
 * output is judged by its place and every origin mark like any other file.
 */
class SealedOutputTrustTest {
    private static final String EVIL = "https://evil.example/payload.pdf";

    @TempDir
    Path tmp;

    /** A directory the policy trusts (under target/: the policy refuses to trust /tmp). */
    Path trusted;
    /** A directory no rule names. */
    Path elsewhere;

    Path stateDir;
    Seal seal;
    Persister persister;
    TrustClassifier classifier;

    @BeforeEach
    void setUp() throws IOException {
        trusted = RealFiles.underTarget("sealed");
        elsewhere = RealFiles.xattrCapable(tmp);
        stateDir = Files.createDirectories(tmp.resolve("state"));
        seal = Seal.open(stateDir.resolve("seal.key"));
        int uid = (Integer) Files.getAttribute(trusted, "unix:uid"),
                gid = (Integer) Files.getAttribute(trusted, "unix:gid");
        persister = new Persister(
                tmp.resolve("quarantine"), tmp.resolve("fallback"), seal, new int[] {uid, gid}, FileCreator.ISOLA);
        classifier = new TrustClassifier(
                PolicyFile.parse("""
                [[rule]]
                name = "work"
                trust = "trusted"
                directories = ["%s"]
                """.formatted(trusted), "test policy", Path.of("/home/alice")), seal);
    }

    @AfterEach
    void tearDown() throws IOException {
        RealFiles.deleteTree(trusted);
    }

    @Test
    void aTrustedTasksOutputDoesNotOverrideAnUntrustedOriginMarkAddedToIt() throws Exception {
        Path out = trustedTaskOutput("made by a trusted task");
        assertThat(classify(out).level())
                .as("in its trusted place, from a trusted input")
                .isEqualTo(TrustLevel.TRUSTED);
        assertThat(classify(out).reason()).doesNotContain("pixels");

        // the attack: the sealed output copied with its xattrs, next to an untrusted origin mark
        Path copy = trusted.resolve("copy.txt");
        exec("cp", "--preserve=xattr", out.toString(), copy.toString());
        RealFiles.setXattr(copy, Marks.XDG_ORIGIN, EVIL);
        Verdict v = classify(copy);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains(EVIL).doesNotContain("pixels");

        RealFiles.setXattr(out, Marks.XDG_ORIGIN, EVIL);
        assertThat(classify(out).level()).as("the output itself").isEqualTo(TrustLevel.UNTRUSTED);
    }

    @Test
    void aTrustedTasksOutputCopiedToAPlaceNoRuleTrustsIsUntrusted() throws Exception {
        Path out = trustedTaskOutput("made by a trusted task");
        Path copy = elsewhere.resolve("copy.txt");
        exec("cp", "--preserve=xattr", out.toString(), copy.toString());
        Verdict v = classify(copy);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).doesNotContain("pixels");
    }

    @Test
    void aTaskOutputSealWhoseKindIsEditedToSafeViewNoLongerVerifies() throws Exception {
        Path out = trustedTaskOutput("made by a trusted task");
        Path copy = elsewhere.resolve("promoted.txt");
        exec("cp", "--preserve=xattr", out.toString(), copy.toString());
        RealFiles.setXattr(copy, Marks.XDG_ORIGIN, EVIL);
        RealFiles.setXattr(copy, "isola.kind", "safe-view");

        assertThat(seal.verifies(Marks.read(copy), sha256(copy))).isFalse();
        Verdict v = classify(copy);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).doesNotContain("pixels");
    }

    @Test
    void aRealSafeViewResultIsTrustedDespiteItsUntrustedOriginAndSaysWhy() throws Exception {
        Path view = safeViewResult("invoice.safe.pdf", "%PDF rebuilt from pixels");
        assertThat(Marks.read(view).get(Marks.ORIGIN)).isEqualTo(EVIL);
        Verdict v = classify(view);
        assertThat(v.level()).isEqualTo(TrustLevel.TRUSTED);
        assertThat(v.reason()).contains("rebuilt from pixels");

        Path copy = trusted.resolve("copied.safe.pdf");
        exec("cp", "--preserve=xattr", view.toString(), copy.toString());
        RealFiles.setXattr(copy, Marks.XDG_ORIGIN, EVIL);
        assertThat(classify(copy).level())
                .as("its content is pixels whatever the marks say")
                .isEqualTo(TrustLevel.TRUSTED);
    }

    @Test
    void aSealWithoutAKindFromThePreviousVersionVouchesForNothing() throws Exception {
        Path f = Files.writeString(elsewhere.resolve("old.safe.pdf"), "%PDF sealed by the previous Isola");
        String sha = sha256(f);
        RealFiles.setXattr(f, Marks.TRUST, "trusted");
        RealFiles.setXattr(f, Marks.CELL, "cell-7");
        RealFiles.setXattr(f, Marks.SHA256, sha);
        RealFiles.setXattr(f, Marks.SEAL, previousVersionSeal("trusted\n" + sha + "\ncell-7"));

        Verdict v = classify(f);
        assertThat(v.level()).isEqualTo(TrustLevel.UNTRUSTED);
        assertThat(v.reason()).contains("older Isola").doesNotContain("rebuilt from pixels");
    }

    // ---- helpers

    /** A trusted-level task's new version of its (trusted) input, kept beside it by the new-version rule. */
    private Path trustedTaskOutput(String content) throws IOException {
        Path input = Files.writeString(trusted.resolve("notes.txt"), "the input");
        Harvest h = harvest("notes.txt", content, Kind.CHANGED_INPUT);
        List<Persister.Outcome> out = persister.persist(
                h,
                Persistence.NEW_VERSION,
                new Provenance(
                        "task-1",
                        "cell-1",
                        TrustLevel.TRUSTED,
                        input.toUri().toString(),
                        null,
                        null,
                        input,
                        Instant.now()));
        assertThat(out).hasSize(1);
        return out.get(0).path();
    }

    /** What ViewTask publishes: the rebuilt document, carrying the input's (untrusted) origin. */
    private Path safeViewResult(String name, String content) throws IOException {
        Path input = Files.writeString(elsewhere.resolve("invoice.pdf"), "%PDF hostile");
        Harvest h = harvest(name, content, Kind.CREATED);
        Provenance from =
                new Provenance("task-2", "cell-2", TrustLevel.TRUSTED, EVIL, null, null, input, Instant.now());
        List<Persister.Outcome> notes = new ArrayList<>();
        Path kept = persister.keepBeside(
                h.files().get(0),
                input.resolveSibling(name),
                from,
                Seal.Kind.SAFE_VIEW,
                Map.of("isola.view-of", "x"),
                notes);
        assertThat(notes).isEmpty();
        return kept;
    }

    private Harvest harvest(String name, String content, Kind kind) {
        Harvester h = new Harvester(Path.of(tmp.resolve("staging").toString()), OutputQuota.DEFAULT);
        h.offer(
                name,
                EntryType.FILE,
                0644,
                1,
                new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
                kind,
                kind == Kind.CHANGED_INPUT ? "/in/" + name : null);
        return h.finish();
    }

    private Verdict classify(Path f) throws IOException {
        Path real = f.toRealPath();
        return classifier.file(real, "text/plain", Marks.read(real), sha256(real));
    }

    /** The seal Isola wrote before seals named their kind: HMAC-SHA256 over "trust\nsha256\ncell". */
    private String previousVersionSeal(String covered) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(stateDir.resolve("seal.key")), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(covered.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void exec(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
