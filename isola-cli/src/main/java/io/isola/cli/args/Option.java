package io.isola.cli.args;

import java.util.List;

/**
 * One option of a command: what it is called, what value it takes and what it does. Commands list these once; the
 * parser, the help text and the error messages all come from that list.
 *
 * @param names e.g. {@code ["-C", "--workdir"]}; the last one is the canonical name
 * @param label the value's placeholder (e.g. {@code SIZE}), or null for a flag
 * @param help one line
 */
public record Option(List<String> names, String label, String help) {
    public static Option flag(String name, String help) {
        return new Option(List.of(name), null, help);
    }

    public static Option value(String name, String label, String help) {
        return new Option(List.of(name), label, help);
    }

    public static Option value(String shortName, String name, String label, String help) {
        return new Option(List.of(shortName, name), label, help);
    }

    /**
     * An option whose value may be left out: {@code --ocr}, {@code --ocr=eng+deu}, or {@code --ocr eng+deu} when the
     * command says the next word is such a value ({@link Command#isOptionalValue}).
     */
    public static Option optional(String name, String label, String help) {
        return new Option(List.of(name), "[" + label + "]", help);
    }

    /** Whether the value may be left out (see {@link #optional}). */
    public boolean optional() {
        return label != null && label.startsWith("[");
    }

    public String name() {
        return names.get(names.size() - 1);
    }

    /** Whether a value must follow (an {@link #optional} one is completed and parsed as a flag that may carry one). */
    public boolean takesValue() {
        return label != null && !optional();
    }
}
