package io.isola.cli.args;

import java.io.PrintStream;
import java.util.List;

/** --help text, built from the same option lists the parser uses. */
public final class Help {
    private static final String HELP = "-h, --help";
    /** What isola is, in one sentence: the top of --help and the man page's NAME line. */
    public static final String TAGLINE = "Runs every untrusted task in its own disposable cell.";

    private Help() {}

    public static void command(Command c, PrintStream out) {
        out.println("Usage: isola " + c.name() + " [OPTIONS]" + (c.operands().isEmpty() ? "" : " " + c.operands()));
        out.println();
        c.description().forEach(out::println);
        out.println();
        out.println("Options:");
        // The help line itself is always listed, so a command without options still has a column to align to.
        int width = HELP.length();
        for (Option o : c.options()) {
            width = Math.max(width, left(o).length());
        }
        for (Option o : c.options()) {
            out.printf("  %-" + width + "s  %s%n", left(o), o.help());
        }
        out.printf("  %-" + width + "s  %s%n", HELP, "show this help");
    }

    public static void top(List<Command> commands, List<String> footer, PrintStream out) {
        out.println("Usage: isola COMMAND [OPTIONS] [ARGS...]");
        out.println();
        out.println(TAGLINE);
        out.println();
        out.println("Commands:");
        int width = 0;
        for (Command c : commands) {
            width = Math.max(width, c.name().length());
        }
        for (Command c : commands) {
            out.printf("  %-" + width + "s  %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("Run 'isola COMMAND --help' for a command's options.");
        footer.forEach(out::println);
    }

    private static String left(Option o) {
        return String.join(", ", o.names()) + (o.label() != null ? " " + o.label() : "");
    }
}
