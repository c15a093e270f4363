package io.isola.task;

import io.isola.core.CellExit;
import io.isola.core.Harvest;
import io.isola.core.IsolaException;
import io.isola.core.Network;
import io.isola.core.OutputQuota;
import io.isola.core.Sha256;
import io.isola.core.Stdio;
import io.isola.core.TerminalText;
import io.isola.core.audit.AuditEvent;
import io.isola.core.output.Harvester;
import io.isola.core.output.Persister;
import io.isola.core.output.Provenance;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The safe view of a container: a zip or tar archive (or one compressed file), or an e-mail message with attachments.
 * A cell unpacks it ({@code unpack.py}: no member's name is ever a path there, links and devices are listed and never
 * made, sizes are bounded before and while inflating); the host takes the members out under the same bounds, and
 * each member gets its own view in its own cell, as any document does, in a folder beside the container with an
 * {@code index.txt} that says what happened to every member. An archive or message inside is opened the same way, a
 * folder in the folder, down to {@link #MAX_DEPTH}. A member is never copied out as it was: only safe views leave.
 */
final class ContainerView {
    private static final Set<String> ARCHIVES = Set.of(
            "application/zip",
            "application/x-tar",
            "application/x-gtar",
            "application/gzip",
            "application/x-bzip2",
            "application/x-xz");
    /** Members one container may hold (folders, links and refused ones count: listing them costs too). */
    static final int MAX_MEMBERS = 500;
    /** Bytes one member may unpack to. */
    static final long MAX_MEMBER_BYTES = 100L << 20;
    /** Bytes one container's members may unpack to, together. */
    static final long MAX_CONTAINER_BYTES = 200L << 20;
    /** Containers in containers: the one opened is 1; one inside it at this depth is listed, not opened. */
    static final int MAX_DEPTH = 3;
    /** Members, and bytes they unpack to, in a container and every one inside it, all together. */
    static final int MAX_ALL_MEMBERS = 1000;

    static final long MAX_ALL_BYTES = 1L << 30;
    /** The list the unpacker writes: a line a member, hex names of at most 1 KiB. */
    private static final String LIST = "members.tsv";

    private static final long MAX_LIST_BYTES = 4L << 20;
    private static final String PROGRAM = program();

    private final TaskContext ctx;
    private final ViewTask views;
    private final ViewTask.Options options;
    private final AtomicInteger membersLeft = new AtomicInteger(MAX_ALL_MEMBERS);
    private final AtomicLong bytesLeft = new AtomicLong(MAX_ALL_BYTES);
    private ExecutorService cells;

    ContainerView(TaskContext ctx, ViewTask views, ViewTask.Options options) {
        this.ctx = ctx;
        this.views = views;
        this.options = options;
    }

    static boolean handles(String type) {
        return ARCHIVES.contains(type) || type.equals(MailRenderer.TYPE);
    }

    /** One member as the unpacker listed it; {@code file} is its harvested content when {@code status} is "file". */
    private record Member(int n, String status, long size, String name, String why, Harvest.OutputFile file) {}

    /** How the members of one container (and those inside it) ended, for the summary line. */
    private static final class Tally {
        final AtomicInteger viewed = new AtomicInteger(), refused = new AtomicInteger(), skipped = new AtomicInteger();

        String words() {
            return viewed + " viewed, " + refused + " not viewed, " + skipped + " skipped";
        }

        void add(Tally inner) {
            viewed.addAndGet(inner.viewed.get());
            refused.addAndGet(inner.refused.get());
            skipped.addAndGet(inner.skipped.get());
        }
    }

    /** The container the user asked for: a folder of views, or (a message without attachments) one view. */
    int view(Intake it, Path dir, Stdio stdio) throws IOException, InterruptedException {
        String shown = it.input().original().getFileName().toString();
        Tasks.say(ctx, "isola: unpacking " + shown + " (" + it.type() + ", " + it.why() + ") in a cell");
        List<Member> members;
        try {
            members = unpack(it, dir);
        } catch (IsolaException e) {
            throw new IsolaException(shown + " was refused: " + e.getMessage() + "; nothing was made", 3);
        }
        boolean mail = it.type().equals(MailRenderer.TYPE);
        if (mail && members.isEmpty()) {
            ViewTask.Viewed v = views.single(it, dir, options, stdio);
            if (v.code() == 0) {
                views.showIf(options, v.kept());
            }
            return v.code();
        }
        ViewDestination to = ViewDestination.choose(ctx, it.input().original(), options.output());
        int parallel = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        try (ExecutorService pool = Executors.newFixedThreadPool(
                parallel, Thread.ofPlatform().name("isola-member-", 0).factory())) {
            cells = pool;
            Path folder = newFolder(to.folder(), stem(shown) + ".safe");
            Tally t = fill(it, dir, members, folder, 1, mail);
            Tasks.say(
                    ctx,
                    "isola: " + shown + ": " + t.words() + " -> " + folder + "/ (index.txt says what happened to "
                            + "each member" + (to.note() == null ? "" : "; " + to.note()) + ")");
            views.showIf(options, folder);
            return 0;
        }
    }

    /**
     * Views every member of a container into {@code folder} (the message itself first, for a message) and writes
     * the folder's index; what happened to each is counted in the tally returned.
     */
    private Tally fill(Intake it, Path dir, List<Member> members, Path folder, int depth, boolean mail)
            throws IOException, InterruptedException {
        Tally t = new Tally();
        List<String> lines = new ArrayList<>();
        ViewTask.Options here = new ViewTask.Options(folder, false, options.maxPages(), options.quality());
        if (mail) {
            Intake message = new Intake(
                    it.taskId(),
                    it.input().shownAs(folder.resolve("message.eml")),
                    it.type(),
                    it.verdict(),
                    it.level());
            lines.add("   the message: " + leaf(message, Files.createDirectories(dir.resolve("message")), here, t));
        }
        int width = String.valueOf(members.size()).length();
        List<Future<String>> outcomes = new ArrayList<>();
        for (Member m : members) {
            if (!m.status().equals("file")) {
                (m.status().equals("skipped") ? t.skipped : t.refused).incrementAndGet();
                outcomes.add(java.util.concurrent.CompletableFuture.completedFuture(m.status() + ": " + m.why()));
                continue;
            }
            String shown = String.format("%0" + width + "d-%s", m.n(), memberName(m.name()));
            Path mdir = dir.resolve("m" + m.n());
            InputSnapshot in = InputSnapshot.member(
                    m.file().staged(),
                    mdir.resolve("in"),
                    shown,
                    folder.resolve(shown),
                    it.input().origin());
            Intake member = Intake.derived(ctx, it.taskId(), in, it.verdict(), "member");
            if (!handles(member.type())) {
                outcomes.add(cells.submit(() -> leaf(member, mdir, here, t)));
            } else if (depth >= MAX_DEPTH) {
                t.skipped.incrementAndGet();
                TaskDirs.delete(mdir);
                outcomes.add(java.util.concurrent.CompletableFuture.completedFuture("skipped: " + member.type()
                        + " nested more than " + MAX_DEPTH + " deep (the bound on containers in containers)"));
            } else { // in this thread: the pool's threads only ever wait for their own cell
                outcomes.add(java.util.concurrent.CompletableFuture.completedFuture(
                        nested(member, mdir, folder, shown, depth + 1, t)));
            }
        }
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            lines.add(String.format("%" + Math.max(3, width) + "d ", m.n()) + TerminalText.escape(m.name()) + "\n"
                    + " ".repeat(Math.max(3, width) + 1) + "-> " + result(outcomes.get(i)));
        }
        writeIndex(it, folder, dir, lines);
        return t;
    }

    private static String result(Future<String> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A container in a container: its own folder in the folder, or one view for a message without attachments. */
    private String nested(Intake it, Path dir, Path folder, String shown, int depth, Tally t)
            throws IOException, InterruptedException {
        List<Member> members;
        try {
            members = unpack(it, dir);
        } catch (IsolaException e) {
            t.refused.incrementAndGet();
            TaskDirs.delete(dir);
            return "refused: " + e.getMessage();
        }
        boolean mail = it.type().equals(MailRenderer.TYPE);
        if (mail && members.isEmpty()) {
            return leaf(it, dir, new ViewTask.Options(folder, false, options.maxPages(), options.quality()), t);
        }
        Path sub = newFolder(folder, stem(shown) + ".safe");
        Tally inner = fill(it, dir, members, sub, depth, mail);
        t.add(inner);
        return "opened: " + sub.getFileName() + "/ (" + inner.words() + "; see its index.txt)";
    }

    /** One member's view in its own cell; its cell's output is kept for the reason a renderer gives. */
    private String leaf(Intake it, Path dir, ViewTask.Options to, Tally t) throws InterruptedException {
        try {
            Files.createDirectories(dir);
            Path err = dir.resolve("cell.err");
            Stdio capture = Stdio.files(Files.createFile(dir.resolve("cell.in")), dir.resolve("cell.out"), err);
            ViewTask.refuseWhatTheVmCannot(it);
            ViewTask.Viewed v = views.single(it, dir, to, capture);
            if (v.code() == 0) {
                t.viewed.incrementAndGet();
                Path kept = v.kept();
                String where = kept.getParent().equals(to.output())
                        ? kept.getFileName().toString()
                        : kept.toString();
                return "viewed: " + where + (v.pages() > 0 ? " (" + v.pages() + " page(s))" : "");
            }
            t.refused.incrementAndGet();
            String why = rendererSaid(err, "render: ");
            String last = why != null ? null : rendererSaid(err, "");
            return "not viewed: " + (why != null ? why : v.failure() + (last == null ? "" : ": " + last));
        } catch (IsolaException e) {
            t.refused.incrementAndGet();
            return "not viewed: " + e.getMessage();
        } catch (IOException e) {
            t.refused.incrementAndGet();
            return "not viewed: " + e.getMessage();
        } finally {
            TaskDirs.delete(dir); // its copy and pages go now: the task directory holds no more than it must
        }
    }

    /**
     * Unpacks a container in a cell of its level (no network) within the bounds left; the members as listed, their
     * files harvested. Throws the one-line reason a container is refused.
     */
    private List<Member> unpack(Intake it, Path dir) throws IOException, InterruptedException {
        int count = Math.min(MAX_MEMBERS, membersLeft.get());
        long disk = it.level().limits().diskBytes();
        long total = Math.min(Math.min(MAX_CONTAINER_BYTES, bytesLeft.get()), disk / 4 * 3);
        if (count <= 0 || total <= 0) {
            throw new IsolaException("the containers opened hold more than " + MAX_ALL_MEMBERS + " members or "
                    + (MAX_ALL_BYTES >> 20) + " MiB in all");
        }
        Path cellDir = Files.createDirectories(dir.resolve("unpack"));
        Path err = cellDir.resolve("cell.err");
        Stdio capture = Stdio.files(Files.createFile(cellDir.resolve("cell.in")), cellDir.resolve("cell.out"), err);
        List<String> argv = List.of(
                "/usr/bin/python3",
                "-I",
                "-c",
                PROGRAM,
                it.type().equals(MailRenderer.TYPE) ? "mail" : "archive",
                it.inputInCell(),
                Intake.OUT,
                String.valueOf(count),
                String.valueOf(Math.min(MAX_MEMBER_BYTES, total)),
                String.valueOf(total));
        OutputQuota quota = new OutputQuota(
                        count + 1, total + MAX_LIST_BYTES, 1, true, Math.max(MAX_MEMBER_BYTES, MAX_LIST_BYTES))
                .within(disk);
        CellRun run = CellRun.run(
                ctx.engines().apply(it.level().engine()),
                it.spec(ctx, argv, List.of(), Network.NONE),
                capture,
                cellDir.resolve("members"),
                quota);
        CellExit exit = run.exit();
        if (exit.exitCode() != 0) {
            String said = rendererSaid(err, "unpack: ");
            throw new IsolaException(
                    said != null
                            ? said
                            : exit.reason() == CellExit.Reason.KILLED
                                    ? "unpacking was stopped (" + exit.detail() + ")"
                                    : exit.reason().isLimit()
                                            ? "unpacking " + Tasks.limitReached(exit)
                                            : "the unpacker failed (exit code " + exit.exitCode() + ")");
        }
        Outcomes.problems(ctx, it.taskId(), run.harvest());
        if (run.harvest().problems().stream().anyMatch(p -> !p.kept())) {
            throw new IsolaException("its members are more than Isola takes from a cell (" + count + " members, "
                    + (total >> 20) + " MiB in all)");
        }
        List<Member> members = members(run.harvest());
        long bytes = members.stream().mapToLong(Member::size).sum();
        if (membersLeft.addAndGet(-members.size()) < 0 || bytesLeft.addAndGet(-bytes) < 0) {
            throw new IsolaException("the containers opened hold more than " + MAX_ALL_MEMBERS + " members or "
                    + (MAX_ALL_BYTES >> 20) + " MiB in all");
        }
        return members;
    }

    /**
     * The unpacker's list, read as hostile: numbered in order, known words, names in hex, and a harvested {@code
     * m-N} for exactly the members listed as files, no other file.
     */
    private static List<Member> members(Harvest h) throws IOException {
        Map<String, Harvest.OutputFile> files = new HashMap<>();
        for (Harvest.OutputFile f : h.files()) {
            files.put(f.name(), f);
        }
        Harvest.OutputFile list = files.remove(LIST);
        if (list == null || list.size() > MAX_LIST_BYTES) {
            throw new IsolaException("the unpacker left no list of members Isola can read");
        }
        List<Member> out = new ArrayList<>();
        for (String line : Files.readAllLines(list.staged(), StandardCharsets.US_ASCII)) {
            String[] f = line.split("\t", -1);
            if (f.length != 5
                    || !f[0].equals(String.valueOf(out.size() + 1))
                    || !Set.of("file", "skipped", "refused").contains(f[1])
                    || !f[2].matches("[0-9]{1,12}")
                    || !f[3].matches("([0-9a-f]{2}){0,1024}")
                    || f[4].length() > 300) {
                throw new IsolaException(
                        "the unpacker's list of members is not one Isola wrote (line " + (out.size() + 1) + ")");
            }
            String name = new String(HexFormat.of().parseHex(f[3]), StandardCharsets.UTF_8);
            Harvest.OutputFile file = f[1].equals("file") ? files.remove("m-" + f[0]) : null;
            if (f[1].equals("file") && (file == null || file.size() != Long.parseLong(f[2]))) {
                throw new IsolaException("the unpacker's list does not match the members it left");
            }
            out.add(new Member(
                    out.size() + 1,
                    f[1],
                    file == null ? 0 : file.size(),
                    name.isEmpty() ? "(no name)" : name,
                    TerminalText.escape(f[4]),
                    file));
        }
        if (!files.isEmpty()) {
            throw new IsolaException("the unpacker left files it did not list");
        }
        return out;
    }

    /**
     * The last line of a cell's stderr that starts with {@code prefix} (and is not blank), without it, escaped; or
     * null.
     */
    private static String rendererSaid(Path err, String prefix) {
        try (InputStream in = Files.newInputStream(err)) {
            String said = null;
            for (String line : new String(in.readNBytes(64 << 10), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(prefix) && !line.isBlank()) {
                    said = TerminalText.printable(
                            line.substring(prefix.length()).strip());
                }
            }
            return said;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A member's name as its view's: the last part of its path (never a path itself), made safe, at most 100 code
     * points with its extension kept, and never empty, "." or "..".
     */
    static String memberName(String name) {
        String last = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        if (last.isBlank() || last.equals(".") || last.equals("..")) {
            last = "member";
        }
        int points = last.codePointCount(0, last.length());
        if (points > 100) {
            int dot = last.lastIndexOf('.');
            String ext = dot > 0 && last.length() - dot <= 10 ? last.substring(dot) : "";
            last = last.substring(0, last.offsetByCodePoints(0, 100 - ext.length())) + ext;
        }
        return Harvester.safeName(last);
    }

    /** "report" of "report.zip", "backup" of "backup.tar.gz", "x.safe" stays "x". */
    static String stem(String name) {
        String s = name.replaceFirst("(?i)\\.tar\\.(gz|bz2|xz)$", "");
        int dot = s.lastIndexOf('.');
        s = dot > 0 ? s.substring(0, dot) : s;
        return SafeViews.ALREADY_SAFE.matcher(s).replaceFirst("");
    }

    /** A new folder {@code NAME} in {@code parent}, or {@code NAME (isola N)} when that is taken; made as the caller. */
    private Path newFolder(Path parent, String name) throws IOException {
        for (int i = 1; i < 1000; i++) {
            Path candidate = parent.resolve(i == 1 ? name : name + " (isola " + i + ")");
            try {
                CallerFiles.createFolder(ctx.callerEnv(), candidate);
                return candidate;
            } catch (FileAlreadyExistsException taken) {
                // the next name
            }
        }
        throw new IOException("no free folder name near " + parent.resolve(name) + " after 1000 tries");
    }

    /**
     * The folder's {@code index.txt}, made by the host from what it checked (names escaped), published like a view:
     * with the caller's rights, sealed as a safe view of the container.
     */
    private void writeIndex(Intake it, Path folder, Path dir, List<String> lines) throws IOException {
        InputSnapshot in = it.input();
        StringBuilder b = new StringBuilder();
        b.append("Safe view of ")
                .append(TerminalText.escape(in.original().getFileName().toString()))
                .append(" (")
                .append(it.type())
                .append(", SHA-256 ")
                .append(in.sha256())
                .append("), made by Isola ")
                .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .append(".\n")
                .append("Each member was unpacked and viewed in a cell of its own; only the safe views are here, ")
                .append("never a member as it was.\nNames are as the container gives them (unsafe characters ")
                .append("written as \\x.. or \\u....).\n\n");
        for (String line : lines) {
            b.append(line).append('\n');
        }
        Path staged = dir.resolve("index.txt");
        Files.writeString(staged, b, StandardCharsets.UTF_8);
        Harvest.OutputFile f = new Harvest.OutputFile(
                "index.txt", staged, Files.size(staged), Sha256.of(staged), Harvest.Kind.CREATED, null);
        Provenance from = new Provenance(
                it.taskId(), "host", TrustLevel.TRUSTED, in.origin(), null, null, in.original(), Instant.now());
        List<Persister.Outcome> notes = new ArrayList<>();
        Path kept = ctx.persister()
                .keepBeside(
                        f,
                        folder.resolve("index.txt"),
                        from,
                        Seal.Kind.SAFE_VIEW,
                        Map.of("isola.view-of", in.sha256()),
                        notes);
        for (Persister.Outcome o : notes) {
            Tasks.say(ctx, "isola: " + o.message());
        }
        ctx.audit()
                .record(AuditEvent.of(
                        "file.persisted",
                        null,
                        "task",
                        it.taskId(),
                        "path",
                        kept.toString(),
                        "rule",
                        "safe-view-index"));
    }

    private static String program() {
        try (InputStream in = ContainerView.class.getResourceAsStream("unpack.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
