package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.isola.cli.args.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * dev/install into a scratch prefix, as a user would run it, then the installed isola, its man page and completion,
 * and dev/uninstall leaving the prefix exactly as it was. Runs after `package` (failsafe), on the jar it installs.
 */
class InstallIT {
    static final Path ROOT =
            Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    static Path prefix;
    static List<String> before;

    @BeforeAll
    static void install() throws IOException {
        // A prefix that already holds other things: install must add to them, uninstall must leave them.
        prefix = Files.createTempDirectory("isola-prefix").toRealPath();
        Files.createDirectories(prefix.resolve("bin"));
        Files.writeString(prefix.resolve("bin/other-tool"), "#!/bin/sh\n");
        Files.createDirectories(prefix.resolve("share/man/man1"));
        Files.writeString(prefix.resolve("share/man/man1/other-tool.1"), ".TH OTHER 1\n");
        before = tree(prefix);
        install(prefix);
    }

    @AfterAll
    static void tearDown() {
        Shell.run(ROOT, Map.of(), "sh", ROOT.resolve("dev/uninstall").toString(), "--prefix", prefix.toString());
        Cleanup.deleteTree(prefix);
    }

    static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theInstalledCommandRunsFromThePrefix() {
        Shell.Result help =
                Shell.run(prefix, Map.of(), prefix.resolve("bin/isola").toString(), "--help");
        assertThat(help.code()).as(help.err()).isZero();
        for (Command c : Main.commands()) {
            assertThat(help.out()).contains("  " + c.name() + " ");
        }
        // nothing of the source tree is needed any more: the launcher, jars and JDK choice are all in the prefix
        assertThat(prefix.resolve("lib/isola/isola.jar")).isRegularFile();
        assertThat(prefix.resolve("lib/isola/bin/isola")).isExecutable();
    }

    @Test
    void theInstalledManPageRendersWithoutWarnings() {
        Shell.Result shown = Shell.man(prefix.resolve("share/man/man1/isola.1"));
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(shown.err()).isEmpty();
        assertThat(shown.out()).contains("ISOLA(1)", "COMMANDS");
    }

    @Test
    void theInstalledBashCompletionOffersCommandsAndOptions() {
        Path script = prefix.resolve("share/bash-completion/completions/isola");
        assertThat(Shell.bashCompletions(script, prefix, "isola", "")).contains("run", "open", "trust", "policy");
        assertThat(Shell.bashCompletions(script, prefix, "isola", "run", "--")).contains("--ro", "--rw");
        assertThat(prefix.resolve("share/zsh/site-functions/_isola")).content().startsWith("#compdef isola");
    }

    @Test
    void uninstallRemovesExactlyWhatInstallWrote() throws IOException {
        // its own prefix, so removing it does not pull the install from under the other tests
        Path other = Files.createTempDirectory("isola-prefix-other").toRealPath();
        Path state = Files.createTempDirectory("isola-state");
        Files.writeString(state.resolve("audit.jsonl"), "{}\n");
        Map<String, String> env = Map.of("ISOLA_STATE_DIR", state.toString());
        try {
            Files.createDirectories(other.resolve("bin"));
            Files.writeString(other.resolve("bin/other-tool"), "#!/bin/sh\n");
            List<String> empty = tree(other);
            install(other);
            assertThat(tree(other))
                    .contains(
                            "bin/isola",
                            "lib/isola/MANIFEST",
                            "share/man/man1/isola.1",
                            "share/bash-completion/completions/isola",
                            "share/zsh/site-functions/_isola");
            Shell.Result removed =
                    Shell.run(ROOT, env, other.resolve("lib/isola/uninstall").toString());
            assertThat(removed.code()).as(removed.toString()).isZero();
            assertThat(tree(other)).isEqualTo(empty);
            assertThat(state.resolve("audit.jsonl"))
                    .as("state stays without --purge")
                    .exists();

            // a file someone else put in a directory the install made stays, and so does that directory
            install(other);
            Files.writeString(other.resolve("share/zsh/site-functions/_mine"), "#compdef mine\n");
            removed = Shell.run(
                    ROOT, env, "sh", ROOT.resolve("dev/uninstall").toString(), "--prefix", other.toString(), "--purge");
            assertThat(removed.code()).as(removed.toString()).isZero();
            assertThat(tree(other))
                    .containsExactlyInAnyOrderElementsOf(Stream.concat(
                                    empty.stream(),
                                    Stream.of(
                                            "share/",
                                            "share/zsh/",
                                            "share/zsh/site-functions/",
                                            "share/zsh/site-functions/_mine"))
                            .toList());
            assertThat(state).as("--purge removes the state").doesNotExist();
        } finally {
            Cleanup.deleteTree(other);
            Cleanup.deleteTree(state);
        }
    }

    @Test
    void uninstallRefusesAPrefixWithoutAnInstall() throws IOException {
        Shell.Result r = Shell.run(
                ROOT,
                Map.of(),
                "sh",
                ROOT.resolve("dev/uninstall").toString(),
                "--prefix",
                prefix.resolve("share").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("isola is not installed in").doesNotContain("\tat ");
        assertThat(tree(prefix)).containsAll(before);
    }

    private static void install(Path into) {
        Shell.Result r = Shell.run(
                ROOT,
                Map.of(),
                "sh",
                ROOT.resolve("dev/install").toString(),
                "--prefix",
                into.toString(),
                "--no-build");
        assertThat(r.code()).as("dev/install: %s", r).isZero();
    }

    @Test
    @Tag("kernel")
    void theInstalledCommandRunsACellWithItsAotCache() {
        Shell.Result run =
                Shell.run(prefix, Map.of(), prefix.resolve("bin/isola").toString(), "run", "--", "/bin/true");
        assertThat(run.code()).as(run.err()).isZero();
        // the caches were trained against the installed jar: the launcher's JVM takes isola's classes from them
        for (List<String> command : List.of(List.of("run", "--", "/bin/true"), List.of("policy", "check"))) {
            Shell.Result traced = Shell.run(
                    prefix,
                    Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"),
                    Stream.concat(Stream.of(prefix.resolve("bin/isola").toString()), command.stream())
                            .toArray(String[]::new));
            assertThat(traced.out())
                    .as("isola %s: %s", command, traced.err())
                    .containsPattern("io\\.isola\\.cli\\.Main source: shared objects file");
        }
    }
}
