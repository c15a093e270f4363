package io.isola.vm;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.SealedCopy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The golden snapshot's RAM as the clones map it: a sealed in-memory copy of the golden RAM file. QEMU 7.2 opens a
 * RAM file read-write even to map it privately, so with the file itself a guest that escaped into its QEMU could
 * change what every later clone starts from, and the pages that running clones still share with the file. Nobody
 * can write to the sealed copy, not even its QEMUs (tested as an attack in {@code QemuHardeningTest}), and the file is
 * root's alone once saved.
 *
 * <p>The copy (the file's data, ~170 MB; holes stay holes) takes ~125 ms from the page cache, so it starts with the
 * engine, beside the rest of its start-up, and a clone waits for it only when it spawns its QEMU.
 */
final class GoldenRam implements AutoCloseable {
    private final Path file;
    /** The file's identity when the copy began: a rebuilt golden is another file. */
    private final List<Object> identity;

    private final CompletableFuture<Integer> fd;

    private GoldenRam(Path file, List<Object> identity) {
        this.file = file;
        this.identity = identity;
        this.fd = CompletableFuture.supplyAsync(
                () -> SealedCopy.of(file.toString(), "isola-golden-ram"),
                r -> Thread.ofPlatform().daemon().name("isola-golden-ram").start(r));
    }

    /** Starts copying {@code file}; null when there is no such file (yet). */
    static GoldenRam copyOf(Path file) {
        List<Object> id = identity(file);
        return id == null ? null : new GoldenRam(file, id);
    }

    /** Whether this is a copy of {@code file} as it is now. */
    boolean isCopyOf(Path file) {
        return this.file.equals(file) && identity.equals(identity(file));
    }

    /** The sealed copy's descriptor, once the copy is complete. */
    int fd() {
        try {
            return fd.join();
        } catch (CompletionException e) {
            throw new IsolaException("cannot copy the golden snapshot's RAM from " + file + ": "
                    + e.getCause().getMessage() + " (remove " + file.getParent() + " to make a new one)");
        }
    }

    @Override
    public void close() {
        fd.thenAccept(Libc::close);
    }

    private static List<Object> identity(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }
}
