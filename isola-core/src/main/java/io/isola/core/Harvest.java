package io.isola.core;

import java.nio.file.Path;
import java.util.List;

/**
 * What came out of a cell after its task ended: files staged on the host, not yet persisted, and every entry that
 * was refused or changed on the way, each with a message for the user.
 */
public record Harvest(List<OutputFile> files, List<Problem> problems) {
    public Harvest {
        files = List.copyOf(files);
        problems = List.copyOf(problems);
    }

    /** Where a file came from inside the cell. */
    public enum Kind {
        /** the task wrote it to its output directory */
        CREATED,
        /** the task changed its private copy of an input file */
        CHANGED_INPUT
    }

    /**
     * One regular file staged on the host.
     *
     * @param name its safe relative path (as it will be persisted)
     * @param staged where its bytes are now
     * @param sha256 of those bytes, computed by the host while copying, never taken from the cell; null when the
     *     quota asked for no hashing
     * @param input for {@link Kind#CHANGED_INPUT}, the cell path of the input it replaces
     */
    public record OutputFile(String name, Path staged, long size, String sha256, Kind kind, String input) {}

    /**
     * An entry that did not come out as the task left it.
     *
     * @param name the entry's name, made printable
     * @param message what happened and why, for the user
     * @param kept whether its content still came out (under a safe name or with safe permissions)
     * @param reason what kind of problem it is, to count a flood of them by kind
     */
    public record Problem(String name, String message, boolean kept, Reason reason) {
        /** The kinds of problem, with the words a summary counts them in. */
        public enum Reason {
            NOT_REGULAR("links, FIFOs, devices or sockets (only regular files leave a cell)"),
            HARD_LINKS("files with more than one hard link"),
            FILE_QUOTA("files over the output quota of files"),
            BYTE_QUOTA("files over the output quota of bytes"),
            TOO_DEEP("entries nested too deep"),
            BAD_PATH("entries whose path climbs out or is absurd"),
            UNREADABLE("entries that could not be copied out"),
            RENAMED("files renamed to a safe name"),
            SET_ID("files whose set-id bits were dropped");

            private final String words;

            Reason(String words) {
                this.words = words;
            }

            /** What a count of them is, e.g. "3 " + words(). */
            public String words() {
                return words;
            }
        }
    }
}
