package io.isola.view;

import io.isola.core.IsolaException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A file that appears at its target name complete or not at all, and never replaces an existing file.
 *
 * <p>It is written as a hidden temporary file beside the target (same directory, so same file system), then published
 * with a hard link, which the kernel refuses if the target exists; a rename would silently replace it. Until
 * {@link #publish()} the target is untouched; {@link #close()} without publish removes the temporary file.
 */
final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean published;

    private AtomicOutput(Path target, Path temp, OutputStream out) {
        this.target = target;
        this.temp = temp;
        this.out = out;
    }

    static AtomicOutput create(Path target) {
        Path absolute = target.toAbsolutePath();
        refuseExisting(absolute);
        Path dir = absolute.getParent();
        try {
            Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".part");
            return new AtomicOutput(absolute, temp, Files.newOutputStream(temp));
        } catch (IOException e) {
            throw new IsolaException("cannot write in " + dir + ": " + e.getMessage());
        }
    }

    /** The stream to write the whole file to; closed by {@link #publish()}. */
    OutputStream stream() {
        return out;
    }

    /**
     * Gives the complete file its target name. No fsync: the safe view writes into its task directory and copies
     * the result out, and an fsync there cost the view 5-20 ms for nothing.
     */
    void publish() {
        try {
            out.close();
            Files.createLink(target, temp);
            published = true;
        } catch (FileAlreadyExistsException e) {
            throw exists(target);
        } catch (IOException e) {
            throw new IsolaException("cannot create " + target + ": " + e.getMessage());
        } finally {
            deleteTemp();
        }
    }

    @Override
    public void close() {
        if (!published) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the temporary file goes anyway
            }
            deleteTemp();
        }
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover hidden .part file is harmless, and the real failure is already being reported
        }
    }

    private static void refuseExisting(Path target) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(target);
        }
    }

    private static IsolaException exists(Path target) {
        return new IsolaException(target + " already exists: choose another output name or remove it first");
    }
}
