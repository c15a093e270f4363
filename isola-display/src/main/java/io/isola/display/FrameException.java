package io.isola.display;

/** What a cell's display did that closes its window; the message completes "the cell's window was closed: ". */
public final class FrameException extends RuntimeException {
    public FrameException(String message) {
        super(message);
    }
}
