package io.isola.core;

import java.util.List;

/**
 * The engines' names, as the policy, the command line and the engines themselves write them: one list, so that a
 * new engine is named in one place and every check of a name agrees.
 */
public final class EngineNames {
    public static final String SANDBOX = "sandbox", VM = "vm";
    public static final List<String> ALL = List.of(SANDBOX, VM);

    private EngineNames() {}

    /** {@code name} when an engine has it; else a usage error that lists the engines. */
    public static String require(String name) {
        if (!ALL.contains(name)) {
            throw new IsolaException("unknown engine '" + name + "': the engines are 'sandbox' and 'vm'", 2);
        }
        return name;
    }
}
