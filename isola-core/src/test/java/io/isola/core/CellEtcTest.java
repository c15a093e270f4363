package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CellEtcTest {
    @TempDir
    Path etc;

    @Test
    void secretsThatExistAndSshPrivateHostKeysAreHidden() throws Exception {
        Files.writeString(etc.resolve("shadow"), "root:*:1::::::\n");
        Files.createDirectories(etc.resolve("ssh"));
        Files.writeString(etc.resolve("ssh/ssh_host_ed25519_key"), "private");
        Files.writeString(etc.resolve("ssh/ssh_host_ed25519_key.pub"), "public");
        Files.writeString(etc.resolve("fonts.conf"), "<fontconfig/>");
        assertThat(CellEtc.hiddenPresent(etc)).containsExactly("shadow", "ssh/ssh_host_ed25519_key");
    }

    @Test
    void accountFilesNameNoHostUser() {
        assertThat(CellEtc.replacements(OptionalInt.empty()))
                .containsOnlyKeys("passwd", "group", "hostname", "hosts")
                .hasEntrySatisfying(
                        "passwd",
                        p -> assertThat(p.lines().map(l -> l.split(":")[0])).containsExactly("root", "nobody"));
        assertThat(CellEtc.replacements(OptionalInt.of(1000)).get("passwd")).contains("user:x:1000:1000:");
    }
}
