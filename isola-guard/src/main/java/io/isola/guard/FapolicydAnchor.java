package io.isola.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The guard benchmark's anchor: Debian's fapolicyd, with Debian's rules, on a copy of the same files. It runs in a
 * private mount namespace of its own, where its configuration is a copy with {@code watch_fs = ramfs} and the files
 * sit on a ramfs no other mount shares, so it marks that one mount and nothing any other process on the machine
 * uses. The workload enters that namespace ({@code nsenter}) to open them. fapolicyd runs as root there: dropping to
 * its own uid fails on this kind of machine ("Cannot change to uid"); that changes no decision and no cache.
 */
final class FapolicydAnchor implements AutoCloseable {
    /** Why fapolicyd could not be measured, in one line for the table. */
    static final class NotRun extends Exception {
        NotRun(String why) {
            super(why);
        }
    }

    private static final String START = """
            set -e
            etc=$1; place=$2; from=$3
            rm -rf "$etc"; cp -a /etc/fapolicyd "$etc"
            sed -i 's/^watch_fs = .*/watch_fs = ramfs/; s/^uid = .*/uid = root/; s/^gid = .*/gid = root/' \
              "$etc/fapolicyd.conf"
            cat "$etc"/rules.d/*.rules > "$etc/compiled.rules"
            mount --bind "$etc" /etc/fapolicyd
            mkdir -p /run/fapolicyd /var/lib/fapolicyd
            mount -t tmpfs -o mode=0770 tmpfs /run/fapolicyd
            mount -t tmpfs tmpfs /var/lib/fapolicyd
            mount -t ramfs ramfs "$place"
            cp -a "$from"/. "$place"/
            exec fapolicyd --debug-deny
            """;

    private final Process daemon;
    private final Path list;
    private final Path log;

    private FapolicydAnchor(Process daemon, Path list, Path log) {
        this.daemon = daemon;
        this.list = list;
        this.log = log;
    }

    /** Starts fapolicyd over a copy of {@code from}'s files, whose paths {@code fromList} lists. */
    static FapolicydAnchor start(Path scratch, Path from, Path fromList)
            throws NotRun, IOException, InterruptedException {
        if (!installed()) {
            throw new NotRun("fapolicyd is not installed (Debian: apt-get install fapolicyd)");
        }
        Path place = Files.createDirectories(scratch.resolve("fapolicyd-place"));
        Path list = scratch.resolve("fapolicyd.txt");
        Files.write(
                list,
                Files.readAllLines(fromList).stream()
                        .map(p -> place + p.substring(from.toString().length()))
                        .toList());
        // its output goes to a file: read through a pipe, it died of SIGPIPE when stopped, before its report
        Path log = scratch.resolve("fapolicyd.log");
        Process p = new ProcessBuilder(
                        "unshare",
                        "-m",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        START,
                        "sh",
                        scratch.resolve("fapolicyd-etc").toString(),
                        place.toString(),
                        from.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // it loads its trust database first
        while (!said(log).contains("Starting to listen for events")) {
            if (!p.isAlive() || System.nanoTime() > until) {
                stop(p);
                List<String> said = said(log).lines().filter(l -> !l.isBlank()).toList();
                throw new NotRun("fapolicyd did not start here: "
                        + (said.isEmpty()
                                ? "it ended without a word"
                                : said.getLast().strip()));
            }
            Thread.sleep(100);
        }
        return new FapolicydAnchor(p, list, log);
    }

    /** Its output so far, bytes as Latin-1, so that no byte can make it unreadable. */
    private static String said(Path log) throws IOException {
        return new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static boolean installed() {
        for (String dir :
                System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "fapolicyd"))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin/fapolicyd"));
    }

    /** One pass over its files, timed inside the Perl loop, as the guard's passes are. */
    long openAll() throws IOException, InterruptedException, NotRun {
        if (!daemon.isAlive()) {
            throw new NotRun("fapolicyd ended during the passes (exit " + daemon.exitValue() + ")");
        }
        return Long.parseLong(GuardBench.perl(
                        List.of("nsenter", "--mount=/proc/" + daemon.pid() + "/ns/mnt"),
                        GuardBench.OPEN_ALL,
                        list.toString())
                .trim());
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: it answers what it holds and unmarks; the namespace ends with it
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops it; how many opens it allowed, by its own report (-1 when it gave none). */
    long stop() throws InterruptedException, IOException {
        stop(daemon);
        for (String line : said(log).lines().toList()) {
            if (line.startsWith("Allowed accesses: ")) {
                return Long.parseLong(
                        line.substring("Allowed accesses: ".length()).trim());
            }
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        stop(daemon);
    }
}
