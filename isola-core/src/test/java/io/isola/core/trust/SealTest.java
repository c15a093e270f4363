package io.isola.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealTest {
    private static final String SHA = "a".repeat(64);

    @TempDir
    Path tmp;

    @Test
    void keyIsMadeOnFirstUseAs32BytesReadableByItsOwnerOnly() throws IOException {
        Path key = tmp.resolve("state/sub/seal.key");
        Seal.open(key);

        assertThat(key).isRegularFile();
        assertThat(Files.size(key)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(Files.readAllBytes(key)).isNotEqualTo(new byte[32]); // random, not zeros
    }

    @Test
    void existingKeyIsReusedSoSealsSurviveARestart() throws IOException {
        Path key = tmp.resolve("seal.key");
        String first = Seal.open(key).sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1");
        byte[] bytes = Files.readAllBytes(key);

        Seal again = Seal.open(key);

        assertThat(Files.readAllBytes(key)).isEqualTo(bytes);
        assertThat(again.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1"))
                .isEqualTo(first);
    }

    @Test
    void twoKeysGiveDifferentSeals() throws IOException {
        String a = Seal.open(tmp.resolve("a.key")).sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1");
        String b = Seal.open(tmp.resolve("b.key")).sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1");
        assertThat(a).isNotEqualTo(b).matches("[0-9a-f]{64}");
    }

    @Test
    void aKeyOthersCanReadIsRefusedBecauseItCouldForgeSeals() throws IOException {
        Path key = Seal.open(tmp.resolve("shared.key")) == null ? null : tmp.resolve("shared.key");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Seal.open(key))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("may be read by others");
    }

    @Test
    void badKeyFileIsRefusedWithAHelpfulMessage() throws IOException {
        Path key = Files.write(tmp.resolve("seal.key"), new byte[31]);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Seal.open(key))
                .isInstanceOf(IOException.class)
                .hasMessage(key + " is not a seal key (32 bytes): remove it and Isola makes a new one");
        Path empty = Files.write(tmp.resolve("empty.key"), new byte[0]);
        Files.setPosixFilePermissions(empty, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Seal.open(empty))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("32 bytes");
        assertThat(Files.size(empty)).as("a bad key is not silently replaced").isZero();
    }

    @Test
    void sealCoversKindTrustHashAndCell() throws IOException {
        Seal s = Seal.open(tmp.resolve("seal.key"));
        String seal = s.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1");
        assertThat(s.sign(Seal.Kind.TASK_OUTPUT, TrustLevel.TRUSTED, SHA, "cell-1"))
                .isNotEqualTo(seal);
        assertThat(s.sign(Seal.Kind.SAFE_VIEW, TrustLevel.UNTRUSTED, SHA, "cell-1"))
                .isNotEqualTo(seal);
        assertThat(s.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, "b".repeat(64), "cell-1"))
                .isNotEqualTo(seal);
        assertThat(s.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-2"))
                .isNotEqualTo(seal);
    }

    @Test
    void verifiesOnlyAnUnchangedMarkOverTheActualContent() throws IOException {
        Seal s = Seal.open(tmp.resolve("seal.key"));
        Marks good = marks("trusted", SHA, "cell-1", s.sign(Seal.Kind.SAFE_VIEW, TrustLevel.TRUSTED, SHA, "cell-1"));

        assertThat(s.verifies(good, SHA)).isTrue();
        assertThat(s.verifies(good, "b".repeat(64))).as("content changed since").isFalse();
        assertThat(s.verifies(marks("trusted", SHA, "cell-2", good.get(Marks.SEAL)), SHA))
                .as("other cell")
                .isFalse();
        assertThat(s.verifies(marks("untrusted", SHA, "cell-1", good.get(Marks.SEAL)), SHA))
                .isFalse();
        assertThat(s.verifies(marks("trusted", SHA, "cell-1", null), SHA))
                .as("no seal")
                .isFalse();
        assertThat(s.verifies(marks("trusted", SHA, null, good.get(Marks.SEAL)), SHA))
                .as("no cell")
                .isFalse();
        assertThat(s.verifies(marks("TRUSTED", SHA, "cell-1", good.get(Marks.SEAL)), SHA))
                .isFalse();
        assertThat(s.verifies(marks("trusted", SHA, "cell-1", "0".repeat(64)), SHA))
                .as("forged")
                .isFalse();
        assertThat(Seal.open(tmp.resolve("other.key")).verifies(good, SHA))
                .as("another host's key")
                .isFalse();
        assertThat(s.verifiedKind(good, SHA)).isEqualTo(Seal.Kind.SAFE_VIEW);
    }

    @Test
    void theKindIsCoveredSoATaskOutputCannotBecomeASafeView() throws IOException {
        Seal s = Seal.open(tmp.resolve("seal.key"));
        Marks output = marks(
                "trusted",
                SHA,
                "cell-1",
                s.sign(Seal.Kind.TASK_OUTPUT, TrustLevel.TRUSTED, SHA, "cell-1"),
                "task-output");
        assertThat(s.verifiedKind(output, SHA)).isEqualTo(Seal.Kind.TASK_OUTPUT);
        Marks promoted = marks("trusted", SHA, "cell-1", output.get(Marks.SEAL), "safe-view");
        assertThat(s.verifiedKind(promoted, SHA)).as("kind edited").isNull();
        assertThat(s.verifies(marks("trusted", SHA, "cell-1", output.get(Marks.SEAL), null), SHA))
                .as("kind removed")
                .isFalse();
        assertThat(s.verifies(marks("trusted", SHA, "cell-1", output.get(Marks.SEAL), "SAFE-VIEW"), SHA))
                .isFalse();
    }

    private static Marks marks(String trust, String sha, String cell, String seal) {
        return marks(trust, sha, cell, seal, "safe-view");
    }

    private static Marks marks(String trust, String sha, String cell, String seal, String kind) {
        Map<String, String> m = new LinkedHashMap<>();
        if (kind != null) {
            m.put(Marks.KIND, kind);
        }
        m.put(Marks.TRUST, trust);
        m.put(Marks.SHA256, sha);
        if (cell != null) {
            m.put(Marks.CELL, cell);
        }
        if (seal != null) {
            m.put(Marks.SEAL, seal);
        }
        return new Marks(m);
    }
}
