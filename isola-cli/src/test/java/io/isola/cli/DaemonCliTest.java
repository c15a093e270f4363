package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real command line against a real daemon: the user sees what an in-process run shows, and nothing outlives. */
@Tag("kernel")
class DaemonCliTest {
    static DaemonFixture d;

    @BeforeAll
    static void start() throws Exception {
        d = new DaemonFixture("--max-per-user", "8");
    }

    @AfterAll
    static void stop() throws Exception {
        d.close();
    }

    @Test
    void outputExitCodeAndStdinPassThroughTheDaemon() throws Exception {
        Cli.Result r = d.clients.run(
                d.env(),
                "from the caller\n",
                "run",
                "--env",
                "MODE=safe",
                "--",
                "/bin/sh",
                "-c",
                "cat; echo \"$MODE\"; echo to-stderr >&2; exit 7");
        assertThat(r.code()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("from the caller\nsafe\n");
        assertThat(r.err()).isEqualTo("to-stderr\n");
        // it ran in the daemon: the daemon's audit log has the cell, the client's state nothing
        assertThat(Files.readString(d.state.resolve("audit.jsonl"))).contains("MODE");
        assertThat(d.clients.audit()).isEmpty();
    }

    @Test
    void aLimitIsExplainedAsInProcess() {
        Cli.Result r = d.run("run", "--timeout", "1s", "--", "/bin/sleep", "30");
        assertThat(r.code()).isEqualTo(137);
        assertThat(r.err()).contains("killed: timeout 1000ms; allow longer with --timeout"); // as in process
    }

    @Test
    void noDaemonRunsInProcess() {
        Cli.Result r = d.clients.run(d.env(), null, "run", "--no-daemon", "--", "/bin/echo", "here");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("here\n");
        assertThat(d.clients.audit()).anyMatch(l -> l.contains("cell.created"));
    }

    @Test
    void ctrlCOfTheClientKillsItsCell() throws Exception {
        String marker = "isola-daemon-int-" + System.nanoTime();
        Process client = sleeper(marker);
        waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor();
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isEqualTo(130);
        waitUntil(() -> Cleanup.processesWith(marker) == 0);
    }

    @Test
    void aKilledClientTakesItsCellAlong() throws Exception {
        String marker = "isola-daemon-kill-" + System.nanoTime();
        Process client = sleeper(marker);
        waitUntil(() -> Cleanup.processesWith(marker + " 600") == 1);
        client.destroyForcibly(); // SIGKILL: the client runs no code; the daemon sees its connection close
        client.waitFor();
        waitUntil(() -> Cleanup.processesWith(marker) == 0);
        assertThat(d.run("ps").out()).doesNotContain(marker);
    }

    @Test
    void usersSeeAndStopOnlyTheirOwnCells() throws Exception {
        String marker = "isola-daemon-ps-" + System.nanoTime();
        Process client = sleeper(marker);
        waitUntil(() -> d.run("ps").out().contains(marker));
        String cell = d.run("ps")
                .out()
                .lines()
                .filter(l -> l.contains(marker))
                .findFirst()
                .orElseThrow()
                .split(" +")[0];

        Cli.Result theirs = d.runAs(1000, "ps", "--json");
        assertThat(theirs.code()).isZero();
        assertThat(theirs.out().trim()).isEqualTo("[]");
        Cli.Result refused = d.runAs(1000, "kill", cell);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("no cell " + cell + " of yours");
        assertThat(Cleanup.processesWith(marker + " 600")).isEqualTo(1);

        Cli.Result killed = d.run("kill", cell);
        assertThat(killed.code()).as(killed.err()).isZero();
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isEqualTo(137);
    }

    @Test
    void theCallerIsWhoTheKernelSaysAndReachesOnlyTheirFiles() throws Exception {
        Path mine = Files.createDirectories(d.dir.resolve("u1000"));
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwx------"));
        Files.setOwner(
                mine, mine.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("1000"));
        Path secret = Files.writeString(
                Files.createDirectories(d.dir.resolve("root-only")).resolve("secret"), "s");
        Files.setPosixFilePermissions(secret.getParent(), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(mine.resolve("link"), secret);

        // what the cell writes to the user's --rw folder is the user's
        Cli.Result wrote =
                d.runAs(1000, "run", "--rw", mine.toString(), "--", "/bin/sh", "-c", "echo hi > " + mine + "/out");
        assertThat(wrote.code()).as(wrote.err()).isZero();
        assertThat(Files.getAttribute(mine.resolve("out"), "unix:uid")).isEqualTo(1000);

        // a root-only file, named directly or through the user's own symbolic link, is refused
        for (String path : new String[] {secret.toString(), mine.resolve("link").toString()}) {
            Cli.Result r = d.runAs(1000, "run", "--ro", path, "--", "/bin/cat", path);
            assertThat(r.code()).as(path).isEqualTo(2);
            assertThat(r.err()).as(path).contains("may not reach").doesNotContain("s\n");
            assertThat(r.out()).isEmpty();
        }
        // and trust explain judges only what the user could read
        Cli.Result t = d.runAs(1000, "trust", "explain", secret.toString());
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.out()).isEmpty();
    }

    @Test
    void trustExplainAndOpenGoThroughTheDaemon() throws Exception {
        Path doc = Files.writeString(d.dir.resolve("doc.txt"), "a line\n");
        Cli.Result viaDaemon = d.run("trust", "explain", doc.toString());
        Cli.Result inProcess = d.clients.run(d.env(), null, "trust", "--no-daemon", "explain", doc.toString());
        assertThat(viaDaemon.code()).isEqualTo(inProcess.code()).isEqualTo(1);
        assertThat(viaDaemon.out()).isEqualTo(inProcess.out()).contains(": untrusted");
    }

    private Process sleeper(String marker) throws Exception {
        return Cli.asFromATerminal(d.client("run", "--", "/bin/bash", "-c", "exec -a " + marker + " sleep 600"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
