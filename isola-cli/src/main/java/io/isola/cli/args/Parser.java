package io.isola.cli.args;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GNU-style parsing of one command's arguments: {@code --name value}, {@code --name=value}, short aliases, options
 * before, between or after operands, and {@code --} to end the options (unless the command's operands are a task's
 * argv: then its first operand ends them, see {@link Command#optionsEndAtFirstOperand()}). Isola parses by hand
 * because a general CLI library costs 100-200 ms of JVM start-up on these machines, which is more than the whole
 * budget of {@code isola run}.
 */
public final class Parser {
    private Parser() {}

    /** Applies {@code args} to {@code command}; returns false when the user asked for --help (already printed). */
    public static boolean parse(Command command, String[] args) throws UsageException {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                operands.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            }
            if (a.equals("-h") || a.equals("--help")) {
                Help.command(command, System.out);
                return false;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                if (command.optionsEndAtFirstOperand()) {
                    // what follows belongs to the task, not to Isola
                    operands.addAll(Arrays.asList(args).subList(i, args.length));
                    break;
                }
                operands.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 && a.startsWith("--") ? a.substring(0, eq) : a;
            Option o = find(command, name);
            if (o.optional()) {
                if (eq > 0 && eq == a.length() - 1) {
                    throw new UsageException(name + " needs a " + o.label() + " after '=', or nothing");
                }
                boolean next = eq < 0 && i + 1 < args.length && command.isOptionalValue(o, args[i + 1]);
                command.set(o, eq > 0 ? a.substring(eq + 1) : next ? args[++i] : null);
                continue;
            }
            if (!o.takesValue()) {
                if (eq > 0) {
                    throw new UsageException("option " + name + " takes no value");
                }
                command.set(o, null);
                continue;
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("option " + name + " needs a value: " + name + " " + o.label());
            }
            if (value.isEmpty()) {
                // Path.of("") is the current directory: an empty value would silently mean something else.
                throw new UsageException(name + " needs a " + o.label() + ", not an empty string");
            }
            command.set(o, value);
        }
        command.operands(operands);
        return true;
    }

    private static Option find(Command command, String name) throws UsageException {
        for (Option o : command.options()) {
            if (o.names().contains(name)) {
                return o;
            }
        }
        String hint = closest(command, name);
        throw new UsageException("unknown option " + name + (hint == null ? "" : " (did you mean " + hint + "?)"));
    }

    private static String closest(Command command, String name) {
        String best = null;
        int bestDistance = 3;
        for (Option o : command.options()) {
            for (String n : o.names()) {
                int d = distance(name, n);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = n;
                }
            }
        }
        return best;
    }

    /** Levenshtein distance, for "did you mean". */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
