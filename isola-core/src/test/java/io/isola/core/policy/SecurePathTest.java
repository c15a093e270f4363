package io.isola.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real directories with real owners and modes: who else could put files where a policy would trust them. */
@Tag("root")
class SecurePathTest {
    @TempDir
    Path tmp;

    private Path dir(String name, String mode) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void aPrivateDirectoryBelowStickyTmpIsSecureBecauseOnlyItsOwnerCouldHaveMadeItsContents() throws IOException {
        Path d = dir("mine/docs", "rwxr-xr-x");
        Files.setPosixFilePermissions(tmp.resolve("mine"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(SecurePath.isSecure(d, Path.of("/root"))).isTrue();
    }

    @Test
    void aDirectoryOthersCanWriteIsNotEvenWhenSticky() throws IOException {
        assertThat(SecurePath.isSecure(dir("drop", "rwxrwxrwx"), Path.of("/root")))
                .isFalse();
        Path sticky = dir("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777); // the JDK's permission strings have no sticky bit
        assertThat(SecurePath.isSecure(sticky, Path.of("/root"))).isFalse();
        assertThat(SecurePath.isSecure(sticky.resolve("not-yet"), Path.of("/root")))
                .as("anyone could create it first")
                .isFalse();
    }

    @Test
    void aDirectoryBelowANonStickyWritableOneIsNot() throws IOException {
        dir("open", "rwxrwxrwx");
        Path below = dir("open/below", "rwxr-xr-x");
        assertThat(SecurePath.isSecure(below, Path.of("/root"))).isFalse();
    }

    @Test
    void aDirectoryOwnedBySomeoneElseIsNot() throws IOException {
        Path theirs = dir("theirs", "rwxr-xr-x");
        Files.setAttribute(theirs, "unix:uid", 65534);
        assertThat(SecurePath.isSecure(theirs, Path.of("/root"))).isFalse();
        assertThat(SecurePath.isSecure(theirs, theirs))
                .as("unless it is the user's own")
                .isTrue();
    }
}
