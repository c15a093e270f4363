package io.isola.cli;

import io.isola.core.Cell;
import io.isola.core.CellEnvironment;
import io.isola.core.CellExit;
import io.isola.core.CellSpec;
import io.isola.core.HostSecrets;
import io.isola.core.IsolaException;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.Stdio;
import io.isola.core.ViewEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs CMD in a new disposable cell and removes the cell when CMD ends.",
            "The cell sees a copy-on-write view of the image, the paths given with --ro/--rw, loopback only, and "
                    + "none of the caller's environment."},
        footer = {"", "Example:  isola run --ro ./report.pdf -- pdftotext report.pdf -"})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--image", paramLabel = "NAME", description = "golden image (default: ${DEFAULT-VALUE})",
            defaultValue = "host")
    String image;

    @Option(names = "--engine", paramLabel = "NAME", description = "how the cell is made (default: ${DEFAULT-VALUE})",
            defaultValue = "sandbox")
    String engine;

    @Option(names = "--ro", paramLabel = "PATH", description = "show a host path read-only, at the same path")
    List<Path> readOnly = new ArrayList<>();

    @Option(names = "--rw", paramLabel = "PATH", description = "show a host path writable (never a secret place)")
    List<Path> readWrite = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME[=VALUE]", description = "pass NAME from the caller, or set it")
    List<String> env = new ArrayList<>();

    @Option(names = {"-C", "--workdir"}, paramLabel = "DIR", description = "working directory inside the cell")
    Path workdir;

    @Option(names = "--memory", paramLabel = "SIZE", converter = Sizes.Bytes.class, description = "RAM limit (512M)")
    Long memory;

    @Option(names = "--pids", paramLabel = "N", description = "process/thread limit (256)")
    Integer pids;

    @Option(names = "--cpus", paramLabel = "X", description = "CPU share, 1.0 = one core (1.0)")
    Double cpus;

    @Option(names = "--cpu-time", paramLabel = "TIME", converter = Sizes.Time.class, description = "CPU time budget")
    Duration cpuTime;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Sizes.Time.class, description = "wall-clock limit")
    Duration timeout;

    @Option(names = "--disk", paramLabel = "SIZE", converter = Sizes.Bytes.class,
            description = "size of the private writable layer (256M)")
    Long disk;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "state directory (or ISOLA_STATE_DIR)")
    Path stateDir;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "the command and its arguments, after --")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Limits limits = limits();
        List<ViewEntry> view = new ArrayList<>();
        for (Path p : readOnly) {
            view.add(new ViewEntry(absolute(p), absolute(p), ViewEntry.Access.READ_ONLY));
        }
        try (Runtime rt = Runtime.open(stateDir, engine)) {
            for (Path p : readWrite) {
                HostSecrets.checkWritable(absolute(p), rt.paths.root());
                view.add(new ViewEntry(absolute(p), absolute(p), ViewEntry.Access.READ_WRITE));
            }
            CellSpec spec = new CellSpec(engine, image, command, CellEnvironment.build(System.getenv(), env), view,
                    workdir, Network.LOOPBACK_ONLY, limits);
            // Ctrl-C or SIGTERM: the hook closes the engine, which kills the cell's whole process tree.
            Thread hook = new Thread(rt::close, "isola-shutdown");
            java.lang.Runtime.getRuntime().addShutdownHook(hook);
            try (Cell cell = rt.engine.start(spec, Stdio.INHERIT)) {
                CellExit exit = cell.waitFor();
                if (exit.reason() == CellExit.Reason.KILLED) {
                    System.err.println("isola: cell " + cell.id() + " killed: " + exit.detail());
                }
                return exit.exitCode();
            } finally {
                java.lang.Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }

    private Limits limits() {
        Limits l = Limits.DEFAULT;
        if (memory != null) {
            l = l.withMemory(memory);
        }
        if (pids != null) {
            l = l.withPids(pids);
        }
        if (cpus != null) {
            l = l.withCpus(cpus);
        }
        if (disk != null) {
            l = l.withDisk(disk);
        }
        return l.withCpuTime(cpuTime).withTimeout(timeout);
    }

    private static Path absolute(Path p) {
        if (p.toString().isEmpty()) {
            throw new IsolaException("empty path given with --ro/--rw", 2);
        }
        return p.toAbsolutePath().normalize();
    }
}
