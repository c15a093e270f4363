package io.isola.core.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.isola.core.Harvest;
import io.isola.core.Harvest.Kind;
import io.isola.core.Harvest.OutputFile;
import io.isola.core.OutputQuota;
import io.isola.core.RealFiles;
import io.isola.core.output.Harvester.EntryType;
import io.isola.core.output.Persister.Outcome;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real staged files, real targets, real xattrs: what a finished task leaves on the host and how it is marked. */
class PersisterTest {
    private static final Instant TIME = Instant.parse("2026-11-27T03:00:00Z");
    private static final String URL = "https://evil.example/dl/doc.txt";
    private static final int PLAIN = plainMode();

    @TempDir
    Path tmp;

    Path dir;
    Path staging;
    Path quarantine;
    Path fallback;
    Seal seal;
    int[] owner;
    Persister persister;

    @BeforeEach
    void setUp() throws IOException {
        dir = RealFiles.xattrCapable(tmp);
        staging = Files.createDirectories(dir.resolve("staging"));
        quarantine = dir.resolve("quarantine");
        fallback = dir.resolve("fallback");
        seal = Seal.open(dir.resolve("state/seal.key"));
        // as root, hand kept files to someone else, as Isola does for the person who asked for the task
        owner = RealFiles.isRoot() ? new int[] {1234, 2345} : new int[] {uid(dir), gid(dir)};
        persister = new Persister(quarantine, fallback, seal, owner, FileCreator.ISOLA);
    }

    @Test
    void discardDeletesEveryStagedFileAndSaysSo() throws IOException {
        Harvest h = harvest(new String[] {"a.txt", "A"}, new String[] {"sub/b.txt", "B"});
        List<Outcome> out = persister.persist(h, Persistence.DISCARD, provenance(TrustLevel.UNTRUSTED, null));

        assertThat(out)
                .containsExactly(new Outcome(
                        null, "discarded 2 file(s) the task left: the policy says " + "discard for untrusted tasks"));
        assertThat(h.files()).allSatisfy(f -> assertThat(f.staged()).doesNotExist());
        assertThat(quarantine).doesNotExist();
    }

    @Test
    void discardOfNothingSaysNothing() throws IOException {
        assertThat(persister.persist(
                        new Harvest(List.of(), List.of()), Persistence.DISCARD, provenance(TrustLevel.UNTRUSTED, null)))
                .isEmpty();
    }

    @Test
    void quarantineKeepsEachFileUnderTheTaskWithEveryMark() throws IOException {
        Harvest h = harvest(new String[] {"report.txt", "the report"}, new String[] {"sub/dir/x.bin", "x"});
        Provenance from = new Provenance(
                "task-1", "cell-1", TrustLevel.UNTRUSTED, URL, URL, "https://evil.example/page", null, TIME);

        List<Outcome> out = persister.persist(h, Persistence.QUARANTINE, from);

        Path report = quarantine.resolve("task-1/report.txt");
        Path nested = quarantine.resolve("task-1/sub/dir/x.bin");
        assertThat(out).containsExactly(new Outcome(report, null), new Outcome(nested, null));
        assertThat(Files.readString(report)).isEqualTo("the report");
        assertThat(Files.readString(nested)).isEqualTo("x");
        String sha = h.files().get(0).sha256();
        // the order is the file system's listing order, not the writing order
        assertThat(Marks.read(report).values())
                .containsOnly(
                        java.util.Map.entry("isola.trust", "untrusted"),
                        java.util.Map.entry("isola.origin", URL),
                        java.util.Map.entry("isola.cell", "cell-1"),
                        java.util.Map.entry("isola.task", "task-1"),
                        java.util.Map.entry("isola.time", "2026-11-27T03:00:00Z"),
                        java.util.Map.entry("isola.sha256", sha),
                        java.util.Map.entry("isola.kind", "task-output"),
                        java.util.Map.entry(
                                "isola.seal", seal.sign(Seal.Kind.TASK_OUTPUT, TrustLevel.UNTRUSTED, sha, "cell-1")),
                        java.util.Map.entry("xdg.origin.url", URL),
                        java.util.Map.entry("xdg.referrer.url", "https://evil.example/page"));
        assertThat(seal.verifies(Marks.read(report), sha)).isTrue();
        assertThat(sha).isEqualTo(sha256(report)); // computed here, not taken from the code under test
        assertThat(h.files()).allSatisfy(f -> assertThat(f.staged()).doesNotExist());
        // the task's directory is private; the files are the user's, plain 0644
        assertThat(perms(quarantine.resolve("task-1"))).isEqualTo("rwx------");
        assertThat(mode(report)).isEqualTo(PLAIN);
        assertThat(Files.getAttribute(report, "unix:uid")).isEqualTo(owner[0]);
        assertThat(Files.getAttribute(report, "unix:gid")).isEqualTo(owner[1]);
    }

    @Test
    void withoutAnOriginUrlNoFreedesktopMarkIsInvented() throws IOException {
        Harvest h = harvest(new String[] {"a.txt", "A"});
        persister.persist(
                h,
                Persistence.QUARANTINE,
                new Provenance("task-2", "cell-2", TrustLevel.TRUSTED, "/home/alice/doc.txt", null, null, null, TIME));
        Marks m = Marks.read(quarantine.resolve("task-2/a.txt"));
        assertThat(m.values()).doesNotContainKeys(Marks.XDG_ORIGIN, Marks.XDG_REFERRER);
        assertThat(m.get(Marks.ORIGIN)).isEqualTo("/home/alice/doc.txt");
        assertThat(m.get(Marks.TRUST)).isEqualTo("trusted");
    }

    @Test
    void setIdAndExecuteBitsOfTheStagedFileDoNotReachTheKeptFile() throws IOException {
        Harvest h = harvest(new String[] {"run", "#!/bin/sh"});
        Files.setAttribute(h.files().get(0).staged(), "unix:mode", 06777);
        persister.persist(h, Persistence.QUARANTINE, provenance(TrustLevel.UNTRUSTED, null));
        Path kept = quarantine.resolve("task-1/run");
        assertThat(mode(kept)).isEqualTo(PLAIN);
    }

    @Test
    void newVersionPutsAChangedInputBesideTheOriginalUnderANewName() throws IOException {
        Path original = Files.writeString(dir.resolve("doc.txt"), "original");
        Harvest h = changedInput("doc.txt", "changed");

        List<Outcome> out = persister.persist(h, Persistence.NEW_VERSION, provenance(TrustLevel.TRUSTED, original));

        Path v2 = dir.resolve("doc (isola 2).txt");
        assertThat(out).containsExactly(new Outcome(v2, null));
        assertThat(Files.readString(original)).isEqualTo("original");
        assertThat(Files.readString(v2)).isEqualTo("changed");
        assertThat(Marks.read(v2).get(Marks.TRUST)).isEqualTo("trusted");
        assertThat(Marks.read(original).isEmpty()).isTrue();
    }

    @Test
    void newVersionNeverOverwritesAnEarlierVersion() throws IOException {
        Path original = Files.writeString(dir.resolve("doc.txt"), "original");
        Files.writeString(dir.resolve("doc (isola 2).txt"), "mine, edited by hand");

        persister.persist(
                changedInput("doc.txt", "third"), Persistence.NEW_VERSION, provenance(TrustLevel.TRUSTED, original));
        persister.persist(
                changedInput("doc.txt", "fourth"), Persistence.NEW_VERSION, provenance(TrustLevel.TRUSTED, original));

        assertThat(Files.readString(original)).isEqualTo("original");
        assertThat(Files.readString(dir.resolve("doc (isola 2).txt"))).isEqualTo("mine, edited by hand");
        assertThat(Files.readString(dir.resolve("doc (isola 3).txt"))).isEqualTo("third");
        assertThat(Files.readString(dir.resolve("doc (isola 4).txt"))).isEqualTo("fourth");
    }

    @Test
    void newVersionOfANameWithoutExtension() throws IOException {
        Path original = Files.writeString(dir.resolve("Makefile"), "all:");
        persister.persist(
                changedInput("Makefile", "all: evil"),
                Persistence.NEW_VERSION,
                provenance(TrustLevel.TRUSTED, original));
        assertThat(Files.readString(dir.resolve("Makefile (isola 2)"))).isEqualTo("all: evil");
    }

    /**
     * A task opened from the home directory must not be able to drop {@code .bash_profile} (run at the next login),
     * {@code -rf} (an option to the next {@code rm *}) or a name that a bidi override makes read as another beside the
     * original: only the original's new version lands there, under a name derived from the original's; everything
     * else the task made goes to the quarantine, with a safe name, and the outcome says so.
     */
    @Test
    void newVersionPutsOnlyTheOriginalsNewVersionBesideItAndQuarantinesTheRest() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path original = Files.writeString(home.resolve("doc.txt"), "original");
        Harvester h = new Harvester(staging, OutputQuota.DEFAULT);
        h.offer("doc.txt", EntryType.FILE, 0644, 1, stream("changed"), Kind.CHANGED_INPUT, "/in/doc.txt");
        h.offer(".bash_profile", EntryType.FILE, 0644, 1, stream("evil"), Kind.CHANGED_INPUT, "/in/.bash_profile");
        for (String n : List.of(".bash_profile", "-rf", "a\u202Etxt.exe", "notes.txt", "doc.txt")) {
            h.offer(n, EntryType.FILE, 0644, 1, stream(n), Kind.CREATED, null);
        }

        List<Outcome> out =
                persister.persist(h.finish(), Persistence.NEW_VERSION, provenance(TrustLevel.TRUSTED, original));

        try (var s = Files.list(home)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("doc (isola 2).txt", "doc.txt");
        }
        assertThat(home.resolve("doc (isola 2).txt")).hasContent("changed");
        Path q = quarantine.resolve("task-1");
        try (var s = Files.walk(q)) {
            assertThat(s.filter(Files::isRegularFile)
                            .map(p -> q.relativize(p).toString())
                            .sorted()
                            .toList())
                    .containsExactly(
                            "_-rf", "_.bash_profile", "_.bash_profile.2", "a_txt.exe", "doc.txt.2", "notes.txt");
        }
        assertThat(q.resolve("a_txt.exe")).hasContent("a\u202Etxt.exe");
        assertThat(out)
                .filteredOn(o -> o.path() != null && o.path().startsWith(q))
                .hasSize(6)
                .allSatisfy(o -> assertThat(o.message()).contains("quarantined", "not a new version of doc.txt"));
        assertThat(out).contains(new Outcome(home.resolve("doc (isola 2).txt"), null));
        for (Outcome o : out) {
            assertThat(Marks.read(o.path()).get(Marks.TRUST)).isEqualTo("trusted");
        }
    }

    @Test
    void newVersionWithoutAnOriginalQuarantinesEverything() throws IOException {
        Harvest h = harvest(new String[] {"page.png", "png"});
        List<Outcome> out = persister.persist(h, Persistence.NEW_VERSION, provenance(TrustLevel.TRUSTED, null));
        assertThat(out)
                .singleElement()
                .satisfies(o -> assertThat(o.path())
                        .isEqualTo(quarantine.resolve("task-1/page.png"))
                        .hasContent("png"));
    }

    @Test
    void symlinkPlantedAtTheWantedNameIsNotFollowed() throws IOException {
        Path original = Files.writeString(dir.resolve("doc.txt"), "original");
        Path victim = Files.writeString(tmp.resolve("victim.conf"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path planted = Files.createSymbolicLink(dir.resolve("doc (isola 2).txt"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("doc (isola 3).txt"), tmp.resolve("created-by-link"));

        List<Outcome> out = persister.persist(
                changedInput("doc.txt", "payload"),
                Persistence.NEW_VERSION,
                provenance(TrustLevel.UNTRUSTED, original));

        assertThat(out).containsExactly(new Outcome(dir.resolve("doc (isola 4).txt"), null));
        assertThat(Files.readString(dir.resolve("doc (isola 4).txt"))).isEqualTo("payload");
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(perms(victim)).isEqualTo("rw-------");
        assertThat(Marks.read(victim).isEmpty()).isTrue();
        assertThat(Files.readSymbolicLink(planted)).isEqualTo(victim);
        assertThat(Files.readSymbolicLink(dangling)).isEqualTo(tmp.resolve("created-by-link"));
        assertThat(tmp.resolve("created-by-link")).doesNotExist();
    }

    /**
     * The target is created exclusively, but it lives in the user's directory, where the user can swap it for a
     * symlink while the bytes are still being copied. What Isola then does to "its" file must not reach the link's
     * target: as root, a followed chmod or chown would open up any file on the host. The staged file is a FIFO so
     * the swap happens at a known moment: after the target is created, before the copy ends.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a stuck FIFO open cannot hang the build
    void targetSwappedForASymlinkDuringTheCopyDoesNotLetPermissionsOrOwnerReachTheLinksTarget() throws Exception {
        Path original = Files.writeString(dir.resolve("doc.txt"), "original");
        Path victim = Files.writeString(tmp.resolve("shadow"), "secret");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Object victimOwner = Files.getAttribute(victim, "unix:uid");
        Path fifo = staging.resolve("fifo");
        exec("mkfifo", fifo.toString());
        OutputFile f = new OutputFile("doc.txt", fifo, 7, "0".repeat(64), Kind.CHANGED_INPUT, "/in/doc.txt");
        Path target = dir.resolve("doc (isola 2).txt");

        CompletableFuture<Throwable> persisting =
                CompletableFuture.supplyAsync(() -> catchThrowable(() -> persister.persist(
                        new Harvest(List.of(f), List.of()),
                        Persistence.NEW_VERSION,
                        provenance(TrustLevel.UNTRUSTED, original))));
        try (OutputStream w = new FileOutputStream(fifo.toFile())) { // meets the persister's reader
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(target) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(target).as("the persister created its target").exists();
            Files.delete(target);
            Files.createSymbolicLink(target, victim);
            w.write("payload".getBytes(StandardCharsets.UTF_8));
        }
        persisting.get(30, TimeUnit.SECONDS); // it may refuse with an error; it must not touch the victim

        assertThat(Files.readString(victim)).isEqualTo("secret");
        assertThat(perms(victim)).isEqualTo("rw-------");
        assertThat(Files.getAttribute(victim, "unix:uid")).isEqualTo(victimOwner);
        assertThat(Marks.read(victim).isEmpty()).isTrue();
    }

    @Test
    void targetOnAFileSystemWithoutXattrsGoesToTheFallbackQuarantineWithItsMarks() throws Exception {
        Path mnt = tmp.resolve("ramfs");
        try (var m = RealFiles.mount("ramfs", mnt)) {
            Path original = Files.writeString(mnt.resolve("doc.txt"), "original");
            Harvest h = changedInput("doc.txt", "changed");
            String sha = h.files().get(0).sha256();

            List<Outcome> out = persister.persist(
                    h,
                    Persistence.NEW_VERSION,
                    new Provenance("task-9", "cell-9", TrustLevel.UNTRUSTED, URL, URL, null, original, TIME));

            Path kept = fallback.resolve("task-9/doc.txt");
            assertThat(out)
                    .containsExactly(
                            new Outcome(
                                    null,
                                    "not saved to " + mnt.resolve("doc.txt") + ": the file system of " + mnt
                                            + " cannot store taint marks (user xattrs), and Isola does not let a file lose its "
                                            + "taint; it is kept in " + kept),
                            new Outcome(kept, null));
            assertThat(Files.readString(kept)).isEqualTo("changed");
            Marks marks = Marks.read(kept);
            assertThat(marks.get(Marks.TRUST)).isEqualTo("untrusted");
            assertThat(marks.get(Marks.XDG_ORIGIN)).isEqualTo(URL);
            assertThat(marks.get("isola.task")).isEqualTo("task-9");
            assertThat(seal.verifies(marks, sha)).isTrue();
            // nothing untainted is left on the ramfs: only the untouched original
            try (var s = Files.list(mnt)) {
                assertThat(s.toList()).containsExactly(original);
            }
            assertThat(Files.readString(original)).isEqualTo("original");
        }
    }

    /** Where even Isola's own quarantine cannot hold marks, no unmarked copy may be left anywhere. */
    @Test
    void whenNotEvenTheFallbackHoldsMarksNoUntaintedCopyIsLeft() throws Exception {
        Path mnt = tmp.resolve("ramfs-state");
        try (var m = RealFiles.mount("ramfs", mnt)) {
            Persister p =
                    new Persister(mnt.resolve("quarantine"), mnt.resolve("quarantine"), seal, owner, FileCreator.ISOLA);
            Harvest h = harvest(new String[] {"a.txt", "A"});

            Throwable t =
                    catchThrowable(() -> p.persist(h, Persistence.QUARANTINE, provenance(TrustLevel.UNTRUSTED, null)));

            assertThat(t).isInstanceOf(Marks.TaintNotWritableException.class);
            try (var s = Files.walk(mnt)) {
                assertThat(s.filter(Files::isRegularFile).toList())
                        .as("unmarked files on the ramfs")
                        .isEmpty();
            }
        }
    }

    // ---- helpers

    /** Stages files through the real harvester: {name, content} pairs. */
    private Harvest harvest(String[]... files) {
        Harvester h = new Harvester(staging, OutputQuota.DEFAULT);
        for (String[] f : files) {
            h.offer(
                    f[0],
                    EntryType.FILE,
                    0644,
                    1,
                    new ByteArrayInputStream(f[1].getBytes(StandardCharsets.UTF_8)),
                    Kind.CREATED,
                    null);
        }
        return h.finish();
    }

    private Harvest changedInput(String name, String content) {
        Harvester h = new Harvester(staging, OutputQuota.DEFAULT);
        // as the sandbox offers it: named relative to the input's directory in the cell
        h.offer(
                name,
                EntryType.FILE,
                0644,
                1,
                new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
                Kind.CHANGED_INPUT,
                "/in/" + name);
        Harvest out = h.finish();
        assertThat(out.files()).hasSize(1);
        return out;
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Provenance provenance(TrustLevel trust, Path input) {
        return new Provenance("task-1", "cell-1", trust, URL, URL, null, input, TIME);
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** Kept files are made 0644; the process's umask can only take bits away, never add any. */
    private static int plainMode() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return 0644 & ~Integer.parseInt(line.substring(6).trim(), 8);
                }
            }
        } catch (IOException e) {
            // below
        }
        return 0644;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid");
    }

    private static void exec(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", argv)).isZero();
    }

    private static String sha256(Path p) throws IOException {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
