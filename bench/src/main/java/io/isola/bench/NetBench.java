package io.isola.bench;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.PolicyFile;
import io.isola.linux.Libc;
import io.isola.net.EgressProxy;
import io.isola.net.LinuxHostFacts;
import io.isola.sandbox.SandboxEngine;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The network path beside its peers: a 256 MiB HTTP download from a test host (in a namespace the benchmark makes)
 * by curl in a cell through Isola's proxy, by curl on the host, and by curl in Podman's pasta (a user-mode network
 * stack, the usual way a rootless container reaches out); and the time to the first byte of a tiny answer, which is
 * what the path adds to each connection's set-up. Interleaved, in one run.
 */
final class NetBench {
    private static final long SIZE = 256L << 20;
    private static final int SETUP_REQUESTS = 200;
    private static final List<String> PASTA = List.of("/usr/bin/pasta", "--runas", "0", "--config-net", "-q", "--");

    private final Bench.Config config;
    private final Report report;
    private final SandboxEngine engine;
    private final AuditLog audit;

    NetBench(Bench.Config config, Report report, SandboxEngine engine, AuditLog audit) {
        this.config = config;
        this.report = report;
        this.engine = engine;
        this.audit = audit;
    }

    void run() throws Exception {
        if (Libc.geteuid() != 0
                || !Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            report.note("The network benchmark needs root and iproute2 (ip) to make its test host: left out.");
            return;
        }
        // The proxy as a front-end runs it, but names are never resolved here: the host is an address.
        var rules = PolicyFile.parse(
                        "version = 1\n[network]\ntreat-as-public = [\"198.51.100.0/24\"]\n",
                        "bench",
                        Path.of("/nonexistent"))
                .network();
        try (BenchHost host = BenchHost.start();
                EgressProxy proxy = new EgressProxy(
                        rules,
                        name -> {
                            throw new UnknownHostException(name);
                        },
                        new LinuxHostFacts(),
                        audit::record,
                        EgressProxy.Settings.DEFAULT)) {
            Network net = Network.through(proxy.forLevel(NetworkAccess.INTERNET));
            String pastaProblem = pastaProblem(host);
            download(host, net, pastaProblem);
            setup(host, net, pastaProblem);
            if (pastaProblem != null) {
                report.note("pasta left out: " + pastaProblem);
            }
        }
    }

    private void download(BenchHost host, Network net, String pastaProblem) {
        int runs = Math.max(3, Math.min(config.slowRuns(), 7));
        List<String> curl = List.of("/usr/bin/curl", "-s", "-o", "/dev/null", host.url("/big?" + SIZE));
        List<String> pasta = new ArrayList<>(PASTA);
        pasta.addAll(curl);
        long[] direct = new long[runs], cell = new long[runs], viaPasta = new long[runs];
        Processes.time(curl, Map.of());
        cellRun(curl, net);
        for (int i = 0; i < runs; i++) {
            direct[i] = Processes.time(curl, Map.of());
            cell[i] = cellRun(curl, net).nanos();
            if (pastaProblem == null) {
                viaPasta[i] = Processes.time(pasta, Map.of());
            }
        }
        report.section(
                "Download of 256 MiB over HTTP from a test host in a namespace (" + runs + " runs each, "
                        + "interleaved; process start included)",
                "curl on the host");
        Stats base = new Stats("curl on the host (direct)", Peers.shell(curl), direct);
        report.row(base, base);
        Stats isola = new Stats(
                "curl in an isola cell, through the proxy (internet)",
                "the same in a sandbox cell with Network.through(EgressProxy.forLevel(INTERNET))",
                cell);
        report.row(isola, base);
        if (pastaProblem == null) {
            report.row(new Stats("curl in pasta (Podman's user-mode network)", Peers.shell(pasta), viaPasta), base);
        }
        report.note(String.format(
                "Speed: host %.0f MiB/s, isola cell %.0f MiB/s%s.",
                mibPerS(base),
                mibPerS(isola),
                pastaProblem == null ? String.format(", pasta %.0f MiB/s", mibPerS(new Stats("", "", viaPasta))) : ""));
        report.target(
                "256 MiB download through a cell >= 0.5x curl on the host's speed",
                base.medianMs() / isola.medianMs(),
                0.5,
                "x");
    }

    private static double mibPerS(Stats s) {
        return (SIZE / (double) (1 << 20)) / (s.medianMs() / 1000);
    }

    private void setup(BenchHost host, Network net, String pastaProblem) throws IOException {
        List<String> curl = new ArrayList<>(List.of("/usr/bin/curl", "-s", "-w", "%{time_starttransfer}\\n"));
        for (int i = 0; i < SETUP_REQUESTS; i++) {
            curl.addAll(List.of("-o", "/dev/null", host.url("/small")));
        }
        List<String> pasta = new ArrayList<>(PASTA);
        pasta.addAll(curl);
        // Warm-up: the proxy's per-connection path runs interpreted at first; a service's JIT has long compiled it.
        JitWarmup.Result warm = JitWarmup.run(
                () -> {
                    try {
                        hostRun(curl);
                        cellRun(curl, net);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                },
                20);
        long[] direct = new long[0], cell = new long[0];
        for (int round = 0; round < 3; round++) { // interleaved rounds
            direct = concat(direct, firstBytes(hostRun(curl)));
            cell = concat(cell, firstBytes(cellRun(curl, net).out()));
        }
        String cmd = "curl -s -o /dev/null -w '%{time_starttransfer}\\n' " + host.url("/small") + " (x" + SETUP_REQUESTS
                + ", one connection each)";
        report.section(
                "Time to the first byte of a tiny answer, " + SETUP_REQUESTS + " requests in one curl, a new "
                        + "connection each",
                "a direct connect");
        Stats base = new Stats("curl on the host (direct connect)", cmd, direct);
        report.row(base, base);
        Stats isola =
                new Stats("curl in an isola cell, through the proxy", "the same in a sandbox cell (internet)", cell);
        report.row(isola, base);
        if (pastaProblem == null) {
            firstBytes(hostRun(pasta));
            report.row(new Stats("curl in pasta", "pasta --config-net -- " + cmd, firstBytes(hostRun(pasta))), base);
        }
        report.target(
                "connection set-up the proxy path adds over a direct connect, median <= 0.3 ms",
                isola.medianMs() - base.medianMs(),
                0.3,
                "ms");
        report.note("Warm JVM: " + warm.describe() + " (a round: " + SETUP_REQUESTS + " connections each way).");
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static long[] firstBytes(String curlOutput) {
        return curlOutput
                .lines()
                .filter(l -> !l.isBlank())
                .mapToLong(l -> (long) (Double.parseDouble(l) * 1e9))
                .toArray();
    }

    record Ran(long nanos, String out) {}

    /** curl in a new sandbox cell on {@code net}; its wall time from start to exit and what it printed. */
    private Ran cellRun(List<String> argv, Network net) {
        CellSpec spec = new CellSpec(
                SandboxEngine.NAME,
                "host",
                argv,
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                net,
                Limits.DEFAULT);
        Path out = null;
        try {
            out = Files.createTempFile("isola-bench-net", ".out");
            long t0 = System.nanoTime();
            try (Cell c = engine.start(spec, Stdio.files(Path.of("/dev/null"), out, Path.of("/dev/null")))) {
                int code = c.waitFor().exitCode();
                long t = System.nanoTime() - t0;
                if (code != 0) {
                    throw new IllegalStateException("curl in the cell exited with " + code);
                }
                return new Ran(t, Files.readString(out));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    private static String hostRun(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(argv.getFirst() + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Why pasta cannot be measured here, or null when it can. */
    private static String pastaProblem(BenchHost host) {
        if (!Files.isExecutable(Path.of(PASTA.getFirst()))) {
            return "it is not installed (apt-get install passt)";
        }
        List<String> probe = new ArrayList<>(PASTA);
        probe.addAll(List.of("/usr/bin/curl", "-s", "-m", "5", "-o", "/dev/null", host.url("/small")));
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0
                    ? null
                    : "pasta --config-net could not reach the test host here (exit " + p.exitValue()
                            + (out.isEmpty()
                                    ? ""
                                    : ": " + out.lines().reduce((a, b) -> b).orElse("")) + ")";
        } catch (IOException e) {
            return "pasta could not start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
