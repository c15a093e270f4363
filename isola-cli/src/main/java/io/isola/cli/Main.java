package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Help;
import io.isola.cli.args.ManPage;
import io.isola.cli.args.Parser;
import io.isola.cli.args.UsageException;
import io.isola.core.GuardRefusal;
import io.isola.core.IsolaException;
import io.isola.core.Trace;
import java.util.Arrays;
import java.util.List;

/** Entry point: every failure becomes one line on stderr and a meaningful exit code, never a stack trace. */
public final class Main {
    static final String VERSION = "isola 0.1.0";
    private static final List<String> EXIT_CODES = List.of(
            "",
            "Exit codes: the task's own code; 128+N when it died of "
                    + "signal N; 2 for bad usage; 125 when Isola itself failed; 127 when the command is not in the cell.");

    /** Set when a signal started the JVM's shutdown: its exit code (128+signal) then wins over the command's. */
    static volatile boolean shuttingDown;

    private Main() {}

    public static void main(String[] args) {
        Trace.mark("main");
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("bench") || args[0].equals("daemon"))) {
            Warmup.start();
        }
        int code = run(args);
        Trace.mark("exit");
        Trace.print();
        // Every resource is closed by now (a run closes its engine before returning), so the JVM's shutdown
        // sequence has nothing left to do, and it costs ~20 ms: halt instead, once the streams are flushed.
        System.out.flush();
        System.err.flush();
        if (shuttingDown) {
            System.exit(code); // blocks until the shutdown under way ends the JVM with 128+signal
        }
        if (cellsMade && !trainingAotCache()) {
            // Even halt waits up to 300 ms for threads blocked in a system call, such as the NIO poller that a cell's
            // proxy address starts; nothing is left to do, so the process ends at once.
            io.isola.linux.Libc.exitNow(code);
        }
        Runtime.getRuntime().halt(code);
    }

    /** Set by a command that made cells (and so loaded the C bindings it exits through). */
    static volatile boolean cellsMade;

    /** Whether this JVM records an AOT cache (dev/lib.sh's training runs), which it writes only in its own exit. */
    private static boolean trainingAotCache() {
        try {
            String cmdline = new String(
                    java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline")),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            return cmdline.contains("-XX:AOTCacheOutput") || cmdline.contains("-XX:AOTMode=record");
        } catch (java.io.IOException e) {
            return true; // cannot tell: the JVM's own exit is the safe one
        }
    }

    static List<Command> commands() {
        return List.of(
                new RunCommand(),
                new OpenCommand(),
                new TrustCommand(),
                new NetCommand(),
                new PolicyCommand(),
                new DoctorCommand(),
                new BenchCommand(),
                new ImageCommand(),
                new QuarantineCommand(),
                new GuardCommand(),
                new DaemonCommand(),
                new PsCommand(),
                new KillCommand(),
                new DesktopCommand(),
                new CompletionCommand());
    }

    static int run(String[] args) {
        try {
            if (args.length == 2 && args[0].equals("help") && args[1].equals("--man")) {
                // not in --help: dev/install runs it to write isola(1) from the same definitions
                ManPage.write(commands(), VERSION, EXIT_CODES, System.out);
                return 0;
            }
            if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
                Help.top(commands(), EXIT_CODES, System.out);
                return args.length == 0 ? 2 : 0;
            }
            if (args[0].equals("--version") || args[0].equals("-V")) {
                System.out.println(VERSION);
                return 0;
            }
            Command command = find(args[0]);
            if (!Parser.parse(command, Arrays.copyOfRange(args, 1, args.length))) {
                return 0;
            }
            return command.call();
        } catch (UsageException e) {
            System.err.println("isola: " + e.getMessage() + " (see: isola " + helpTarget(args) + "--help)");
            return 2;
        } catch (IsolaException e) {
            System.err.println("isola: " + e.getMessage());
            return e.exitCode();
        } catch (java.nio.file.FileSystemException e) {
            if (GuardRefusal.is(e)) { // e.g. isola trust explain run without root on a file a guard keeps closed
                IsolaException why = GuardRefusal.explain(e.getFile(), "run sudo isola " + String.join(" ", args));
                System.err.println("isola: " + why.getMessage());
                return why.exitCode();
            }
            return internalError(e);
        } catch (Exception | Error e) {
            return internalError(e);
        }
    }

    /**
     * With ISOLA_DEBUG set: a line on a choice Isola made quietly on the person's behalf (why an open shows no
     * window, say), which would otherwise leave them guessing.
     */
    static void debug(String line) {
        if (System.getenv("ISOLA_DEBUG") != null) {
            System.err.println("isola: " + line);
        }
    }

    private static int internalError(Throwable e) {
        if (shuttingDown) {
            // a signal's shutdown closed the cells under the command (a harvest found its cell closed): not a fault,
            // and the JVM exits with 128+signal whatever this returns
            return IsolaException.ISOLA_FAILED;
        }
        System.err.println("isola: internal error: " + e
                + " (please report it with the command you ran; ISOLA_DEBUG=1 shows the details)");
        if (System.getenv("ISOLA_DEBUG") != null) {
            e.printStackTrace();
        }
        return IsolaException.ISOLA_FAILED;
    }

    private static Command find(String name) throws UsageException {
        List<Command> all = commands();
        for (Command c : all) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        String known = String.join(", ", all.stream().map(Command::name).toList());
        throw new UsageException(
                name.startsWith("-")
                        ? "unknown option " + name + " before the command"
                        : "unknown command '" + name + "': the commands are " + known);
    }

    private static String helpTarget(String[] args) {
        for (Command c : commands()) {
            if (args.length > 0 && c.name().equals(args[0])) {
                return c.name() + " ";
            }
        }
        return "";
    }
}
