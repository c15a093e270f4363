package io.isola.cli;

/**
 * While a command's cells run: Ctrl-C or SIGTERM closes {@code what}, which kills every cell's whole process tree,
 * and the JVM then exits with 128+signal. Closing this removes the hook once the command is done with its cells.
 */
final class ClosingOnSignal implements AutoCloseable {
    private final Thread hook;

    ClosingOnSignal(Runnable close) {
        hook = new Thread(
                () -> {
                    Main.shuttingDown = true;
                    close.run();
                },
                "isola-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownUnderWay) {
            // a signal arrived: the hook is closing everything
        }
    }
}
