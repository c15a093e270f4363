package io.isola.service;

import io.isola.core.policy.Policy;
import io.isola.core.policy.PolicyException;
import io.isola.core.policy.PolicyFile;
import io.isola.linux.SmallFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's policy, read once and again whenever its file changes: a changed file is checked first, and a broken
 * one is refused, the old rules stay, and the reason is kept for {@code isola policy show} and the log. Rules may
 * name the caller's home, so the parsed policy is kept per home.
 */
final class PolicySource {
    private final Path file;
    private final java.util.function.Consumer<String> log;
    private byte[] bytes;
    private Object stamp;
    private String problem;
    private final Map<Path, Policy> byHome = new ConcurrentHashMap<>();

    PolicySource(Path file, java.util.function.Consumer<String> log) {
        this.file = file;
        this.log = log;
        if (file != null) {
            bytes = read(); // a broken policy at start is an error of the start, not a thing to keep
            PolicyFile.fromBytes(bytes, file.toString(), Path.of("/"));
            stamp = stamp();
        }
    }

    /** The policy for a caller whose home is {@code home}, after picking up a changed file. */
    synchronized Policy forHome(Path home) {
        reloadIfChanged();
        return byHome.computeIfAbsent(
                home, h -> file == null ? PolicyFile.builtIn(h) : PolicyFile.fromBytes(bytes, file.toString(), h));
    }

    /** The policy in force, and a refused change if there is one: what {@code isola policy show} adds. */
    synchronized String status() {
        reloadIfChanged();
        return "the Isola service judges by " + (file == null ? "the built-in policy" : file.toString())
                + (problem == null ? "" : "\nthe Isola service refused a change: " + problem) + "\n";
    }

    /** Why the last change was refused, or null. */
    synchronized String problem() {
        return problem;
    }

    private void reloadIfChanged() {
        if (file == null) {
            return;
        }
        Object now = stamp();
        if (now.equals(stamp)) {
            return;
        }
        stamp = now;
        try {
            byte[] candidate = read();
            PolicyFile.fromBytes(candidate, file.toString(), Path.of("/"));
            bytes = candidate;
            byHome.clear();
            problem = null;
            log.accept("policy " + file + " changed: now in force");
        } catch (RuntimeException e) { // PolicyException, SmallFile.Refused, LinuxException: all refused alike
            problem = "the changed policy " + file + " was refused, the previous one stays in force: " + e.getMessage();
            log.accept(problem);
        }
    }

    private byte[] read() {
        try {
            return SmallFile.read(file.toString(), PolicyFile.MAX_BYTES);
        } catch (SmallFile.Refused e) {
            throw new PolicyException(file.toString(), 0, e.getMessage() + ": " + PolicyFile.WHAT_TO_GIVE);
        }
    }

    private Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey();
        } catch (java.io.IOException e) {
            return "missing";
        }
    }
}
