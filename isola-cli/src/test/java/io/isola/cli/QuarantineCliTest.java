package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.core.Harvest;
import io.isola.core.Host;
import io.isola.core.output.FileCreator;
import io.isola.core.output.Persister;
import io.isola.core.output.Provenance;
import io.isola.core.policy.Persistence;
import io.isola.core.trust.Marks;
import io.isola.core.trust.Seal;
import io.isola.core.trust.TrustLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code isola quarantine} over a real state directory whose quarantine the real {@link Persister} filled: real
 * files, real owners, real taint xattrs, the real command line in its own JVM.
 */
class QuarantineCliTest {
    static final String ROOTS = "t0000000000a1", NOBODYS = "t0000000000b2", OLD = "t0000000000c3";
    static final Map<String, String> SUDO = Map.of("SUDO_USER", "nobody", "SUDO_UID", "65534", "SUDO_GID", "65534");

    Path state;
    Path work;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        state = Files.createTempDirectory("isola-quarantine-state");
        work = Files.createTempDirectory("isola-quarantine-work");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        cli = new Cli(state);
        Instant now = Instant.now();
        keep(ROOTS, new int[] {0, 0}, now, Map.of("report.txt", "the report\n", "data/table.csv", "a,b\n"));
        if (Host.isRoot()) {
            keep(NOBODYS, new int[] {65534, 65534}, now, Map.of("letter.txt", "dear nobody\n"));
        }
        keep(OLD, new int[] {0, 0}, Instant.parse("2020-01-01T00:00:00Z"), Map.of("old.txt", "old\n"));
    }

    @AfterEach
    void tearDown() {
        Cleanup.deleteTree(state);
        Cleanup.deleteTree(work);
    }

    /** What {@code open} leaves under the quarantine rule: the real persister writes the layout and the marks. */
    void keep(String task, int[] owner, Instant time, Map<String, String> files) throws Exception {
        Path staging = Files.createDirectories(state.resolve("staging"));
        Persister p = new Persister(
                state.resolve("quarantine"),
                state.resolve("quarantine"),
                Seal.open(state.resolve("seal.key")),
                owner,
                FileCreator.ISOLA);
        List<Harvest.OutputFile> out = new java.util.ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path staged = Files.writeString(staging.resolve(task + f.getKey().replace('/', '_')), f.getValue());
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(f.getValue().getBytes(StandardCharsets.UTF_8)));
            out.add(new Harvest.OutputFile(f.getKey(), staged, Files.size(staged), sha, Harvest.Kind.CREATED, null));
        }
        p.persist(
                new Harvest(out, List.of()),
                Persistence.QUARANTINE,
                new Provenance(
                        task,
                        "c00000000abcd",
                        TrustLevel.UNTRUSTED,
                        "https://evil.example/" + task + ".zip",
                        "https://evil.example/" + task + ".zip",
                        null,
                        null,
                        time));
    }

    @Test
    void listShowsOneLinePerTask() throws IOException {
        Cli.Result r = cli.run("quarantine", "list");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("TASK", "TIME", "TRUST", "FILES", "SIZE", "OWNER", "ORIGIN");
        assertThat(lines)
                .anyMatch(l -> l.startsWith(ROOTS)
                        && l.contains("untrusted")
                        && l.contains(" 2 ")
                        && l.contains("root")
                        && l.contains("https://evil.example/" + ROOTS + ".zip"));
        assertThat(lines.get(1)).startsWith(OLD).contains("2020-01-01 00:00Z"); // oldest first
        assertThat(lines).hasSize(Host.isRoot() ? 4 : 3);

        JsonNode json = new ObjectMapper()
                .readTree(cli.run("quarantine", "list", "--json").out());
        JsonNode roots = json.findParents("task").stream()
                .filter(n -> n.get("task").asText().equals(ROOTS))
                .findFirst()
                .orElseThrow();
        assertThat(roots.get("files").asInt()).isEqualTo(2);
        assertThat(roots.get("bytes").asLong()).isEqualTo("the report\n".length() + "a,b\n".length());
        assertThat(roots.get("trust").asText()).isEqualTo("untrusted");
        assertThat(roots.get("owner").asText()).isEqualTo("root");
    }

    @Test
    void showListsTheFilesWithTheirMarks() throws IOException {
        Cli.Result r = cli.run("quarantine", "show", ROOTS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "report.txt",
                        "data/table.csv",
                        "user.isola.trust = untrusted",
                        "user.xdg.origin.url = https://evil.example/" + ROOTS + ".zip",
                        "user.isola.task = " + ROOTS);
        JsonNode json = new ObjectMapper()
                .readTree(cli.run("quarantine", "show", "--json", ROOTS).out());
        assertThat(json.get("items")).hasSize(2);
        assertThat(json.get("items")
                        .get(0)
                        .get("marks")
                        .get("user.isola.sha256")
                        .asText())
                .hasSize(64);
    }

    @Test
    void releaseCopiesWithTheMarksAndEmptiesTheQuarantine() throws IOException {
        Files.writeString(work.resolve("report.txt"), "already here\n");
        Cli.Result r = cli.run("quarantine", "release", ROOTS, "report.txt", "--to", work.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path released = work.resolve("report (isola 2).txt");
        assertThat(r.out()).contains("released report.txt -> " + released, "still marked untrusted");
        assertThat(Files.readString(work.resolve("report.txt"))).isEqualTo("already here\n"); // never overwritten
        assertThat(Files.readString(released)).isEqualTo("the report\n");
        Marks marks = Marks.read(released);
        assertThat(marks.get(Marks.TRUST)).isEqualTo("untrusted");
        assertThat(marks.get(Marks.XDG_ORIGIN)).isEqualTo("https://evil.example/" + ROOTS + ".zip");
        assertThat(marks.get(Marks.SEAL)).isNotBlank();
        assertThat(state.resolve("quarantine/" + ROOTS + "/report.txt")).doesNotExist();
        assertThat(state.resolve("quarantine/" + ROOTS + "/data/table.csv")).exists();
        assertThat(cli.audit())
                .anyMatch(l -> l.contains("\"event\":\"file.released\"")
                        && l.contains(ROOTS)
                        && l.contains("\"name\":\"report.txt\""));

        Cli.Result rest = cli.run(Map.of(), null, "quarantine", "release", ROOTS, "--to", work.toString());
        assertThat(rest.code()).as(rest.err()).isZero();
        assertThat(Files.readString(work.resolve("data_table.csv"))).isEqualTo("a,b\n");
        assertThat(state.resolve("quarantine/" + ROOTS)).doesNotExist();
    }

    @Test
    void mistakesGetOneClearLine() {
        CliUsageTest.assertOneLine(
                cli.run("quarantine", "show", "t0123456789ab"), 2, "no quarantined task t0123456789ab");
        CliUsageTest.assertOneLine(cli.run("quarantine", "show", "../x"), 2, "'../x' is not a task id");
        CliUsageTest.assertOneLine(
                cli.run("quarantine", "release", "../" + ROOTS, "--to", work.toString()), 2, "is not a task id");
        CliUsageTest.assertOneLine(
                cli.run("quarantine", "release", ROOTS, "../../etc/passwd", "--to", work.toString()),
                2,
                "task " + ROOTS + " has no file '../../etc/passwd'");
        CliUsageTest.assertOneLine(cli.run("quarantine", "release", ROOTS, "nope.txt"), 2, "has no file 'nope.txt'");
        CliUsageTest.assertOneLine(cli.run("quarantine", "purge"), 2, "purge what?");
        CliUsageTest.assertOneLine(cli.run("quarantine", "frob"), 2, "use: isola quarantine");
        CliUsageTest.assertOneLine(cli.run("quarantine", "purge", "--older-than", "soon"), 2, "is not an age");
        assertThat(state.resolve("quarantine/" + ROOTS + "/report.txt")).exists();
    }

    @Test
    void purgeRemovesTasksByIdOrAge() {
        Cli.Result old = cli.run("quarantine", "purge", "--older-than", "30d");
        assertThat(old.code()).as(old.err()).isZero();
        assertThat(old.out()).isEqualTo("purged " + OLD + " (1 file(s), 4 B)\n");
        assertThat(state.resolve("quarantine/" + OLD)).doesNotExist();
        assertThat(state.resolve("quarantine/" + ROOTS)).exists();

        assertThat(cli.run("quarantine", "purge", ROOTS).code()).isZero();
        assertThat(state.resolve("quarantine/" + ROOTS)).doesNotExist();
        assertThat(cli.audit())
                .anyMatch(l -> l.contains("\"event\":\"quarantine.purged\"")
                        && l.contains(ROOTS)
                        && l.contains("\"files\":2"));
    }

    @Test
    void underSudoAUserSeesAndTouchesOnlyTheirOwnTasks() throws IOException {
        assumeTrue(Host.isRoot(), "needs root to own files as someone else and to act as a sudo caller");
        Cli.Result list = cli.run(SUDO, null, "quarantine", "list");
        assertThat(list.out()).contains(NOBODYS).doesNotContain(ROOTS, OLD);
        CliUsageTest.assertOneLine(
                cli.run(SUDO, null, "quarantine", "show", ROOTS), 2, "no quarantined task " + ROOTS + " of yours");
        CliUsageTest.assertOneLine(cli.run(SUDO, null, "quarantine", "purge", ROOTS), 2, "of yours");

        // released with nobody's rights: refused where nobody may not write, and then the file stays quarantined
        Path rootOnly = Files.createDirectories(work.resolve("root-only"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        CliUsageTest.assertOneLine(
                cli.run(SUDO, null, "quarantine", "release", NOBODYS, "--to", rootOnly.toString()),
                2,
                "nobody may not create files in " + rootOnly);
        assertThat(state.resolve("quarantine/" + NOBODYS + "/letter.txt")).exists();
        Path theirs = Files.createDirectories(work.resolve("nobody-home"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Cli.Result ok = cli.run(SUDO, null, "quarantine", "release", NOBODYS, "--to", theirs.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(Files.getAttribute(theirs.resolve("letter.txt"), "unix:uid")).isEqualTo(65534);
        assertThat(Marks.read(theirs.resolve("letter.txt")).get(Marks.TRUST)).isEqualTo("untrusted");

        assertThat(cli.run(SUDO, null, "quarantine", "purge", "--all").out()).isEqualTo("nothing to purge\n");
        assertThat(state.resolve("quarantine/" + ROOTS)).exists();
        assertThat(state.resolve("quarantine/" + OLD)).exists();
    }
}
