package io.isola.service;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Host;
import io.isola.core.HostSecrets;
import io.isola.core.IsolaException;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.ViewEntry;
import io.isola.linux.ThreadCredentials;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code run} request made into a {@link CellSpec}, trusting none of it: the client's own parser already checked
 * the options, so whatever fails here came from something else than {@code isola run} and is refused in one line.
 */
final class RunRequest {
    private RunRequest() {}

    static CellSpec spec(Message m, User user, Path stateRoot) {
        List<String> command = m.all(Protocol.ARG);
        if (command.isEmpty()) {
            throw refused("no command given");
        }
        List<ViewEntry> view = new ArrayList<>();
        for (String p : m.all(Protocol.RO)) {
            view.add(entry(p, user, ViewEntry.Access.READ_ONLY));
        }
        for (String p : m.all(Protocol.RW)) {
            ViewEntry e = entry(p, user, ViewEntry.Access.READ_WRITE);
            HostSecrets.checkWritable(e.hostPath(), stateRoot);
            HostSecrets.checkWritable(e.cellPath(), stateRoot);
            view.add(e);
        }
        // the cell's fixed variables (PATH, HOME, ...), then what the client sent: a client need not know the former
        Map<String, String> env = new LinkedHashMap<>(CellEnvironment.build(Map.of(), List.of()));
        for (String kv : m.all(Protocol.ENV)) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || !kv.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw refused("an env field must be NAME=VALUE, not '" + Listing.printable(kv) + "'");
            }
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String workdir = m.get(Protocol.WORKDIR);
        Limits limits = new Limits(
                number(m, Protocol.MEMORY, Limits.DEFAULT.memoryBytes()),
                (int) number(m, Protocol.PIDS, Limits.DEFAULT.maxPids()),
                cpus(m),
                duration(m, Protocol.CPU_TIME_MS),
                duration(m, Protocol.TIMEOUT_MS),
                number(m, Protocol.DISK, Limits.DEFAULT.diskBytes()));
        String engine = m.get(Protocol.ENGINE) == null ? "sandbox" : m.get(Protocol.ENGINE);
        String image = m.get(Protocol.IMAGE) == null ? "host" : m.get(Protocol.IMAGE);
        return new CellSpec(
                engine, image, command, env, view, workdir == null ? null : Path.of(workdir), Network.NONE, limits);
    }

    /**
     * A view path as the client named it (where the cell sees it) and where it really is, resolved once, now, with
     * the caller's own rights: a path they cannot reach is refused, and a symbolic link swapped later changes
     * nothing, since the cell is given what it pointed to here. Relative paths and {@code .}/{@code ..} parts are
     * refused: the client resolved them against its own directory already.
     */
    static ViewEntry entry(String given, User user, ViewEntry.Access access) {
        Path p = Path.of(given);
        if (!p.isAbsolute() || !p.normalize().toString().equals(given)) {
            throw refused("the path '" + given + "' is not absolute and normal (no '.', '..' or '//')");
        }
        Path real;
        try {
            real = user.root()
                    ? p.toRealPath()
                    : ThreadCredentials.asUser(user.uid(), user.gid(), user.groups(), () -> p.toRealPath());
        } catch (AccessDeniedException e) {
            throw new IsolaException(
                    user.name() + " may not reach " + given + ": Isola shows a cell only what you "
                            + "could open yourself",
                    2);
        } catch (NoSuchFileException e) {
            throw new IsolaException("no such file or directory: " + given + " (given with --ro/--rw)", 2);
        } catch (Exception e) {
            throw new IsolaException("cannot resolve " + given + ": " + e.getMessage(), 2);
        }
        return new ViewEntry(real, p, access);
    }

    private static long number(Message m, String key, long fallback) {
        String v = m.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || (key.equals(Protocol.PIDS) && n > Integer.MAX_VALUE)) {
                throw refused(key + " " + v + " is out of range");
            }
            return n;
        } catch (NumberFormatException e) {
            throw refused(key + " must be a whole number, not '" + v + "'");
        }
    }

    private static double cpus(Message m) {
        String v = m.get(Protocol.CPUS);
        if (v == null) {
            return Limits.DEFAULT.cpus();
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d >= 0) || d > Host.cpus()) {
                throw refused("cpus " + v + " is not between 0 and the " + Host.cpus() + " CPU(s) here");
            }
            return d;
        } catch (NumberFormatException e) {
            throw refused("cpus must be a number, not '" + v + "'");
        }
    }

    private static Duration duration(Message m, String key) {
        return m.get(key) == null ? null : Duration.ofMillis(number(m, key, 0));
    }

    static IsolaException refused(String why) {
        return new IsolaException("bad request: " + why, 2);
    }
}
