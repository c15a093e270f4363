package io.isola.task;

import io.isola.core.IsolaException;
import io.isola.core.TaskFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * {@code --password-file}: an encrypted PDF's password goes into its cell as a file, read by the person's rights and
 * given to qpdf's {@code --password-file} there. It is never on a command line (which {@code /proc} shows every user of
 * the host), never in an audit event or a message; its copy lives in the task's directory (under Isola's state, which
 * only root can enter) and goes with it.
 */
final class Password {
    /** The first line of a password file is the password, as qpdf reads it; longer files are not password files. */
    private static final int MAX_BYTES = 4096;

    private Password() {}

    /** The password's first line, copied into {@code taskDir}, as an input shown at {@link Renderers#PASSWORD_DIR_IN_CELL}. */
    static TaskFiles.Input input(TaskContext ctx, Path file, Path taskDir) throws IOException {
        Path real = file.toAbsolutePath();
        byte[] bytes;
        try (InputStream in = CallerFiles.open(ctx.callerEnv(), real, file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IsolaException(
                    "--password-file " + file + " does not exist: give the file that holds the password", 2);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IsolaException(
                    "--password-file " + file + " is more than " + MAX_BYTES + " bytes: give a file whose first line "
                            + "is the password",
                    2);
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
            end++;
        }
        if (end == 0) {
            Arrays.fill(bytes, (byte) 0);
            throw new IsolaException("--password-file " + file + " is empty: its first line should be the password", 2);
        }
        Path dir = Files.createDirectory(
                taskDir.resolve("password"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path copy = dir.resolve("password");
        // readable by the cell's unprivileged user; the task directory above it admits root alone
        Files.write(copy, Arrays.copyOf(bytes, end));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        Arrays.fill(bytes, (byte) 0);
        return new TaskFiles.Input(dir, Renderers.PASSWORD_DIR_IN_CELL);
    }
}
