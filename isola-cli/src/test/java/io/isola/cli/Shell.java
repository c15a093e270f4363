package io.isola.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program as a shell user would, for the tests of what isola installs (scripts, man page, completions). */
final class Shell {
    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Shell() {}

    static boolean has(String program) {
        return Files.isExecutable(Path.of("/usr/bin", program)) || Files.isExecutable(Path.of("/bin", program));
    }

    static Result run(Path dir, Map<String, String> env, String... command) {
        try {
            Path out = Files.createTempFile("isola-shell", ".out"), err = Files.createTempFile("isola-shell", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(
                                Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " hung");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * What the bash completion script at {@code script} offers for the command line {@code words}, the last one being
     * the word under the cursor: bash's own completion machinery (COMP_WORDS, the completion function, COMPREPLY).
     */
    static List<String> bashCompletions(Path script, Path dir, String... words) {
        String[] command = new String[words.length + 4];
        command[0] = "bash";
        command[1] = "-c";
        command[2] = "source \"$0\"; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                + "\"$(complete -p isola | sed 's/.*-F \\([^ ]*\\) .*/\\1/')\"; printf '%s\\n' \"${COMPREPLY[@]}\"";
        command[3] = script.toString();
        System.arraycopy(words, 0, command, 4, words.length);
        Result r = run(dir, Map.of(), command);
        if (r.code() != 0 || !r.err().isEmpty()) {
            throw new AssertionError("completing '" + String.join(" ", words) + "': " + r);
        }
        return r.lines().stream().filter(l -> !l.isEmpty()).toList();
    }

    /** What {@code man} shows for the page at {@code page}, with groff's warnings on stderr. */
    static Result man(Path page) {
        return run(
                page.getParent(),
                Map.of("MANWIDTH", "80", "MAN_KEEP_FORMATTING", ""),
                "man",
                "--warnings=w",
                "-l",
                page.toString());
    }
}
