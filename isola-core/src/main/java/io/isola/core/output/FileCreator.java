package io.isola.core.output;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Creates a new file that did not exist (O_CREAT|O_EXCL, which also refuses a planted symlink), mode 0644, and
 * returns it open for writing. Files beside the user's originals are created with the user's own file-system ids
 * where Isola runs as root for them (sudo), so that a task cannot make Isola write where the user could not.
 */
@FunctionalInterface
public interface FileCreator {
    SeekableByteChannel createNew(Path target) throws IOException;

    /** Creation with Isola's own rights: for Isola's state directory. */
    FileCreator ISOLA = target -> Files.newByteChannel(
            target,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
}
