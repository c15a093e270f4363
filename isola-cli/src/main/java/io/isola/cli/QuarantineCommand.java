package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.Host;
import io.isola.core.IsolaException;
import io.isola.core.TerminalText;
import io.isola.core.audit.AuditEvent;
import io.isola.core.audit.AuditLog;
import io.isola.core.output.Quarantine;
import io.isola.core.output.Quarantine.Entry;
import io.isola.core.output.Quarantine.Item;
import io.isola.task.CallerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code isola quarantine list|show|release|purge}: what the {@code quarantine} rule kept, for the person it belongs
 * to. Under sudo a user sees and touches only their own tasks; root without sudo sees every one.
 */
final class QuarantineCommand implements Command {
    private static final Option JSON = Option.flag("--json", "list, show: print JSON instead of text");
    private static final Option TO = Option.value("--to", "DIR", "release: where the copies go (default: here)");
    private static final Option ALL = Option.flag("--all", "purge: every task you may see");
    private static final Option OLDER =
            Option.value("--older-than", "AGE", "purge: tasks older than AGE, e.g. 30d, 12h");
    private static final Option STATE = Option.value("--state-dir", "DIR", "state directory (or ISOLA_STATE_DIR)");
    private static final List<Option> OPTIONS = List.of(JSON, TO, ALL, OLDER, STATE);
    private static final List<String> ACTIONS = List.of("list", "show", "release", "purge");

    private boolean json;
    private Path to;
    private boolean all;
    private Duration olderThan;
    private Path stateDir;
    private String action;
    private final List<String> args = new ArrayList<>();

    @Override
    public String name() {
        return "quarantine";
    }

    @Override
    public String summary() {
        return "list, show, release or purge the files the quarantine rule kept";
    }

    @Override
    public List<String> description() {
        return List.of(
                "isola quarantine list               one line per task: id, time, trust, files, size, owner, origin",
                "isola quarantine show TASK          its files and their taint marks",
                "isola quarantine release TASK [FILE...] [--to DIR]",
                "                                    copies them (all, or the FILEs) to DIR, still marked, then",
                "                                    removes them from the quarantine; a taken name becomes NAME (isola 2)",
                "isola quarantine purge TASK...|--all [--older-than AGE]",
                "Through sudo you see and touch only your own tasks, and released files are created with your rights.");
    }

    @Override
    public List<Option> options() {
        return OPTIONS;
    }

    @Override
    public String operands() {
        return "list|show|release|purge [TASK] [FILE...]";
    }

    @Override
    public void set(Option o, String v) throws UsageException {
        switch (o.name()) {
            case "--json" -> json = true;
            case "--to" -> to = Path.of(v).toAbsolutePath().normalize();
            case "--all" -> all = true;
            case "--older-than" -> olderThan = age(v);
            default -> stateDir = Path.of(v);
        }
    }

    /** Options may also follow the action and its task ({@code release T --to DIR}), as users write them. */
    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty() || !ACTIONS.contains(operands.get(0))) {
            throw new UsageException("use: isola quarantine list|show|release|purge (see isola quarantine --help)");
        }
        action = operands.get(0);
        for (int i = 1; i < operands.size(); i++) {
            String a = operands.get(i);
            if (a.equals("--")) {
                args.addAll(operands.subList(i + 1, operands.size()));
                break;
            }
            Option o = a.startsWith("--")
                    ? OPTIONS.stream()
                            .filter(x -> x.names().contains(a))
                            .findFirst()
                            .orElseThrow(() -> new UsageException("unknown option " + a))
                    : null;
            if (o == null) {
                args.add(a);
            } else if (!o.takesValue()) {
                set(o, null);
            } else if (++i < operands.size()) {
                set(o, operands.get(i));
            } else {
                throw new UsageException("option " + a + " needs a value: " + a + " " + o.label());
            }
        }
        boolean wantsTask = action.equals("show") || action.equals("release");
        if (wantsTask && args.isEmpty()) {
            throw new UsageException("which task? use: isola quarantine " + action + " TASK (isola quarantine list)");
        }
        if ((action.equals("list") || action.equals("show")) && args.size() > (wantsTask ? 1 : 0)) {
            throw new UsageException("too many operands for isola quarantine " + action);
        }
        if (action.equals("purge") && args.isEmpty() == !(all || olderThan != null)) {
            throw new UsageException(
                    args.isEmpty()
                            ? "purge what? give TASK..., --all or --older-than AGE"
                            : "give either task ids or --all/--older-than, not both");
        }
    }

    @Override
    public int call() throws IOException {
        Path root = Session.paths(stateDir).root();
        Map<String, String> env = System.getenv();
        Quarantine q = new Quarantine(root.resolve("quarantine"), Host.invokingIds(env)[0]);
        return switch (action) {
            case "list" -> QuarantinePrinter.list(q, json);
            case "show" -> QuarantinePrinter.show(q.task(args.get(0)), json);
            case "release" -> release(q, root, env);
            default -> purge(q, root);
        };
    }

    private int release(Quarantine q, Path state, Map<String, String> env) throws IOException {
        Entry e = q.task(args.get(0));
        List<Item> files = Quarantine.files(e, args.subList(1, args.size()));
        Path dir = to != null ? to : Path.of("").toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IsolaException("cannot release into " + dir + ": no such directory", 2);
        }
        try (AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"))) {
            for (Item f : files) {
                Path kept = q.release(e, f, dir, CallerFiles.creator(env));
                audit.record(AuditEvent.of(
                        "file.released", null, "task", e.task(), "name", f.name(), "path", kept.toString()));
                System.out.println("released " + TerminalText.printable(f.name()) + " -> "
                        + TerminalText.escape(kept.toString()) + " (still marked "
                        + (e.trust() == null ? "untrusted" : e.trust()) + ": open it with isola open)");
            }
        }
        return 0;
    }

    private int purge(Quarantine q, Path state) throws IOException {
        List<Entry> chosen = new ArrayList<>();
        if (args.isEmpty()) {
            Instant before = olderThan == null ? Instant.MAX : Instant.now().minus(olderThan);
            q.list().stream().filter(e -> e.time().isBefore(before)).forEach(chosen::add);
        } else {
            for (String id : args) {
                chosen.add(q.task(id)); // every id is checked before anything is removed
            }
        }
        try (AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"))) {
            for (Entry e : chosen) {
                q.purge(e);
                audit.record(AuditEvent.of(
                        "quarantine.purged",
                        null,
                        "task",
                        e.task(),
                        "files",
                        e.files().size(),
                        "bytes",
                        e.bytes()));
                System.out.println("purged " + e.task() + " (" + e.files().size() + " file(s), "
                        + QuarantinePrinter.size(e.bytes()) + ")");
            }
        }
        if (chosen.isEmpty()) {
            System.out.println("nothing to purge");
        }
        return 0;
    }

    /** An age for --older-than: days ({@code 30d}) or any duration ({@code 12h}, {@code 1h30m}). */
    private static Duration age(String v) throws UsageException {
        if (v.trim().matches("[0-9]{1,6}[dD]")) {
            return Duration.ofDays(Long.parseLong(v.trim().substring(0, v.trim().length() - 1)));
        }
        try {
            return io.isola.core.Quantities.duration(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--older-than '" + v + "' is not an age: use e.g. 30d, 12h or 90m");
        }
    }
}
