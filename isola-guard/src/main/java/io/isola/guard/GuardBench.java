package io.isola.guard;

import io.isola.core.audit.AuditLog;
import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyFile;
import io.isola.core.policy.TrustClassifier;
import io.isola.core.trust.Seal;
import io.isola.linux.Libc;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the guard costs a host program: open+read+close of 10,000 files of 4 KiB on a private tmpfs (page cache
 * warm) by a Perl loop in a process of its own, unwatched, through a guard's first pass (every file judged) and
 * once judged (the kernel's ignore marks answer), the time to be refused a tainted file, and Debian's fapolicyd on
 * the same files as the anchor ({@link FapolicydAnchor}). Rows are Markdown, as
 * {@code isola bench} prints them, with the targets of issue 16.
 */
public final class GuardBench {
    private static final int FILES = 10_000, PASSES = 9, DENIALS = 2000;
    static final String OPEN_ALL = """
            use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
            open(my $l, '<', $ARGV[0]) or die; my @f = <$l>; chomp @f; close $l;
            my $t = clock_gettime(CLOCK_MONOTONIC);
            for my $p (@f) { open(my $h, '<', $p) or die "$p: $!"; sysread($h, my $b, 4096); close $h; }
            printf "%d\\n", (clock_gettime(CLOCK_MONOTONIC) - $t) * 1e9;
            """;
    private static final String DENY_ONE = """
            use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
            my @d; for (1..$ARGV[1]) { my $t = clock_gettime(CLOCK_MONOTONIC);
              if (open(my $h, '<', $ARGV[0])) { die "not denied\\n" } push @d, clock_gettime(CLOCK_MONOTONIC) - $t; }
            @d = sort { $a <=> $b } @d; printf "%d %d\\n", $d[@d / 2] * 1e9, $d[int(@d * 0.99)] * 1e9;
            """;

    private GuardBench() {}

    /**
     * Runs it under {@code scratch}: two private tmpfs are mounted there (and removed again), one watched and one
     * not, with the same files, and the passes over them alternate, so that a machine whose load changes (other
     * work on two shared cores) weighs on both alike. Needs root.
     */
    public static void run(Path scratch, PrintStream out) throws IOException, InterruptedException {
        Path place = Files.createDirectories(scratch.resolve("place"));
        Path plain = Files.createDirectories(scratch.resolve("plain"));
        Path state = Files.createDirectories(scratch.resolve("state"));
        Libc.mount("tmpfs", place.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=128m");
        try {
            Libc.mount("tmpfs", plain.toString(), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "size=128m");
            try {
                measure(scratch, place, plain, state, out);
            } finally {
                Libc.umount2(plain.toString(), Libc.MNT_DETACH);
            }
        } finally {
            Libc.umount2(place.toString(), Libc.MNT_DETACH);
        }
    }

    private static void measure(Path scratch, Path place, Path plain, Path state, PrintStream out)
            throws IOException, InterruptedException {
        Path list = files(place, scratch.resolve("place.txt"));
        Path plainList = files(plain, scratch.resolve("plain.txt"));
        Path evil = place.resolve("evil.pdf");
        Files.write(evil, new byte[4096]);
        Files.getFileAttributeView(evil, UserDefinedFileAttributeView.class)
                .write("xdg.origin.url", ByteBuffer.wrap("https://evil.example/".getBytes(StandardCharsets.UTF_8)));
        Policy policy = PolicyFile.parse("[guard]\npaths = [\"" + place + "\"]\n", "bench policy", scratch);
        TrustClassifier classifier = new TrustClassifier(policy, Seal.open(state.resolve("seal.key")));

        openAll(list); // warm the page cache
        openAll(plainList);
        long[] first = new long[3];
        long[] unwatched = new long[PASSES];
        long[] judged = new long[PASSES];
        long asked;
        String[] denial;
        try (AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"))) {
            for (int i = 0; i < first.length; i++) {
                try (Guard g = Guard.start(policy.guard(), classifier, state, audit)) {
                    first[i] = openAll(list);
                }
            }
            try (Guard g = Guard.start(policy.guard(), classifier, state, audit)) {
                openAll(list);
                long before = g.status().lookups();
                for (int i = 0; i < PASSES; i++) {
                    unwatched[i] = openAll(plainList);
                    judged[i] = openAll(list);
                }
                asked = g.status().lookups() - before;
                denial = perl(DENY_ONE, evil.toString(), Integer.toString(DENIALS))
                        .split(" ");
            }
        }
        String anchor = anchor(scratch, plain, plainList);
        long base = median(unwatched);
        out.printf("%n## Guard: %,d opens of 4 KiB files (open+read+close by Perl, page cache warm)%n%n", FILES);
        out.printf("| contender | per file | ratio to unwatched | target |%n|---|---:|---:|---|%n");
        row(out, "unwatched", base, base, "");
        row(out, "guard, first pass (each file judged)", median(first), base, "reported");
        double[] paired = new double[PASSES]; // each judged pass against the unwatched pass just before it
        for (int i = 0; i < PASSES; i++) {
            paired[i] = (double) judged[i] / unwatched[i];
        }
        Arrays.sort(paired);
        out.printf(
                "| guard, judged (the kernel's ignore marks) | %.2f µs | %.2fx | ≤ 1.30x |%n",
                median(judged) / 1e3 / FILES, paired[PASSES / 2]);
        out.printf(
                "| guard, denial of a tainted file | median %.1f µs, p99 %.1f µs | | ≤ 1 ms median |%n",
                Long.parseLong(denial[0]) / 1e3, Long.parseLong(denial[1].trim()) / 1e3);
        out.println(anchor);
        out.printf(
                "%nCommand: `isola guard bench` (%d passes over a watched and an unwatched tmpfs, alternating; "
                        + "medians; the judged ratio is the median of each judged pass over the unwatched pass before it; "
                        + "first pass: 3 fresh guards; denials: %d opens of one file). The kernel asked the guard %d times "
                        + "during the judged passes. fapolicyd: Debian's package and rules, in a mount namespace of its own "
                        + "over a ramfs copy of the unwatched files, after one pass that fills its caches; its ratio is paired "
                        + "the same way.%n",
                PASSES, DENIALS, asked);
    }

    /** The row of Debian's fapolicyd on the same files, or the one line that says why it could not run here. */
    private static String anchor(Path scratch, Path plain, Path plainList) throws IOException, InterruptedException {
        String name = "| fapolicyd (Debian's rules) | ";
        try (FapolicydAnchor f = FapolicydAnchor.start(scratch, plain, plainList)) {
            long first = f.openAll(); // its caches fill
            long[] unwatched = new long[PASSES], watched = new long[PASSES];
            double[] paired = new double[PASSES];
            for (int i = 0; i < PASSES; i++) {
                unwatched[i] = openAll(plainList);
                watched[i] = f.openAll();
                paired[i] = (double) watched[i] / unwatched[i];
            }
            long asked = f.stop();
            if (asked < (long) FILES * (PASSES + 1)) { // it must have judged every open, or it measured nothing
                throw new FapolicydAnchor.NotRun("fapolicyd reported " + asked + " allowed opens of "
                        + FILES * (PASSES + 1) + ": it did not watch the files");
            }
            Arrays.sort(paired);
            return String.format(
                    "%s%.2f µs | %.2fx | anchor (first pass %.2fx; it answered %,d opens) |",
                    name, median(watched) / 1e3 / FILES, paired[PASSES / 2], (double) first / median(unwatched), asked);
        } catch (FapolicydAnchor.NotRun e) {
            return name + "not run: " + e.getMessage().replace('|', '/') + " | | anchor |";
        }
    }

    private static Path files(Path dir, Path list) throws IOException {
        List<String> names = new ArrayList<>();
        byte[] four = new byte[4096];
        Arrays.fill(four, (byte) 'x');
        for (int i = 0; i < FILES; i++) {
            Path f = dir.resolve("d" + i / 1000).resolve("f" + i);
            Files.createDirectories(f.getParent());
            Files.write(f, four);
            names.add(f.toString());
        }
        return Files.write(list, names);
    }

    private static void row(PrintStream out, String name, long nanos, long base, String target) {
        out.printf("| %s | %.2f µs | %.2fx | %s |%n", name, nanos / 1e3 / FILES, (double) nanos / base, target);
    }

    private static long median(long[] t) {
        long[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long openAll(Path list) throws IOException, InterruptedException {
        return Long.parseLong(perl(OPEN_ALL, list.toString()).trim());
    }

    private static String perl(String script, String... args) throws IOException, InterruptedException {
        return perl(List.of(), script, args);
    }

    /** Runs a Perl script after {@code prefix} (e.g. nsenter); what it printed. */
    static String perl(List<String> prefix, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("perl", "-e", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("the benchmark's perl loop failed: " + out.trim());
        }
        return out;
    }
}
