package io.isola.view.render;

/** Ends the renderer with an exit code and a one-line message, never a stack trace. */
final class RenderFailure extends Exception {
    final int exitCode;

    RenderFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static RenderFailure badInput(String message) {
        return new RenderFailure(Render.EXIT_BAD_INPUT, message);
    }

    static RenderFailure environment(String message) {
        return new RenderFailure(Render.EXIT_ENVIRONMENT, message);
    }
}
