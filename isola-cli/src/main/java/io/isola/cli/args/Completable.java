package io.isola.cli.args;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a shell can offer for an option's value or an operand, read from the same placeholders --help prints
 * ({@code FILE}, {@code DIR}, {@code check|show}, {@code CMD [ARG...]}), so completion never keeps a list of its own.
 */
public final class Completable {
    /** What a placeholder stands for. */
    public enum Kind {
        /** free text (a size, a name, a URL): nothing to offer */
        NONE,
        /** a path on the host */
        FILE,
        /** a directory on the host */
        DIR,
        /** a command name, looked up on the PATH */
        COMMAND
    }

    /**
     * One operand position: the literal words it accepts (e.g. {@code check}, {@code show}) and what else it takes.
     *
     * @param label the placeholder as --help prints it, for shells that show one
     * @param repeats true for {@code [ARG...]}: this slot takes every operand from here on
     */
    public record Slot(List<String> words, Kind kind, String label, boolean repeats) {}

    private Completable() {}

    /** The kind of value an option's label (e.g. {@code PATH}, {@code SIZE}) names. */
    public static Kind value(Option option) {
        return option.takesValue() ? kind(option.label()) : Kind.NONE;
    }

    /** The operand slots of {@code operands()}: {@code "explain PATH|URL"} is [explain], [PATH or URL]. */
    public static List<Slot> slots(Command command) {
        List<Slot> slots = new ArrayList<>();
        for (String token : command.operands().trim().split("\\s+")) {
            String bare = token.replace("[", "").replace("]", "");
            boolean repeats = bare.endsWith("...");
            bare = repeats ? bare.substring(0, bare.length() - 3) : bare;
            if (bare.isEmpty() || bare.equals("--")) {
                continue; // "[--]": the parser's own separator, not an operand
            }
            List<String> words = new ArrayList<>();
            Kind kind = Kind.NONE;
            for (String alternative : bare.split("\\|")) {
                if (alternative.matches("[a-z][a-z0-9-]*")) {
                    words.add(alternative);
                } else if (kind == Kind.NONE) {
                    kind = kind(alternative);
                }
            }
            slots.add(new Slot(List.copyOf(words), kind, bare, repeats));
        }
        return slots;
    }

    private static Kind kind(String placeholder) {
        String p = placeholder.toUpperCase(Locale.ROOT);
        if (Arrays.asList("DIR", "DIRECTORY").contains(p)) {
            return Kind.DIR;
        }
        if (p.equals("CMD") || p.equals("COMMAND")) {
            return Kind.COMMAND;
        }
        // ARG: a task's argument is most often a file it was given
        if (p.equals("FILE") || p.equals("PATH") || p.endsWith("FILE") || p.equals("ARG")) {
            return Kind.FILE;
        }
        return Kind.NONE;
    }
}
