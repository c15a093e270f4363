package io.isola.service;

/** The words of the protocol (docs/service.md): request verbs, field keys and the reply's. */
public final class Protocol {
    public static final String VERSION = "1";

    // every request
    public static final String ISOLA = "isola", VERB = "verb", CWD = "cwd";
    // verbs
    public static final String RUN = "run", OPEN = "open", TRUST = "trust", PS = "ps", KILL = "kill", POLICY = "policy";
    // run
    public static final String ENGINE = "engine",
            IMAGE = "image",
            RO = "ro",
            RW = "rw",
            ENV = "env",
            WORKDIR = "workdir",
            MEMORY = "memory",
            PIDS = "pids",
            CPUS = "cpus",
            CPU_TIME_MS = "cpu-time-ms",
            TIMEOUT_MS = "timeout-ms",
            DISK = "disk",
            ARG = "arg";
    // open, trust, ps, kill
    public static final String TARGET = "target", VIEW = "view", JSON = "json", CELL = "cell";
    /** Sent by the client while its request runs: the user pressed Ctrl-C, or the client was told to stop. */
    public static final String INTERRUPT = "interrupt";
    // reply
    public static final String EXIT = "exit", ERROR = "error", REASON = "reason", DETAIL = "detail";

    private Protocol() {}
}
