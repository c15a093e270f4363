package io.isola.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The build's AOT training run: several command lines in one JVM, separated by {@code ::}, so that the cache it
 * records holds the classes of each (the JDK records one run per cache). Not a user command.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) {
        List<String> current = new ArrayList<>();
        for (String a : args) {
            if (a.equals("::")) {
                once(current);
                current.clear();
            } else {
                current.add(a);
            }
        }
        once(current);
    }

    private static void once(List<String> args) {
        if (!args.isEmpty()) {
            Warmup.start();
            int code = Main.run(args.toArray(String[]::new));
            System.err.println("training: isola " + String.join(" ", args) + " -> " + code);
        }
    }
}
