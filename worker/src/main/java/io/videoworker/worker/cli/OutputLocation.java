package io.videoworker.worker.cli;

import io.videoworker.worker.convert.InputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses, before any conversion work, an output that could never be written: the user gets one
 * line naming the folder at fault instead of an encoder's failure once the work is done.
 */
final class OutputLocation {
    private OutputLocation() {
    }

    /** A file written into an existing folder (what the MP4 writer needs: it does not create folders). */
    static void checkFile(Path file) throws InputException {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new InputException("cannot write " + file + ": it is a folder");
        }
        Path folder = abs.getParent();
        if (!Files.exists(folder)) {
            Path existing = nearestExisting(folder);
            throw new InputException("cannot write " + file + ": " + (Files.isDirectory(existing)
                    ? "folder " + folder + " does not exist" : existing + " is not a folder"));
        }
        String problem = problem(folder);
        if (problem != null) {
            throw new InputException("cannot write " + file + ": " + problem);
        }
    }

    /** A file whose missing folders are created first (snapshots do that). */
    static void checkFileCreatingFolders(Path file) throws InputException {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new InputException("cannot write " + file + ": it is a folder");
        }
        checkFolder(abs.getParent(), "cannot write " + file);
    }

    /** A folder written into, created with its missing parents when absent (--per-part, several --snapshot times). */
    static void checkFolder(Path folder) throws InputException {
        checkFolder(folder.toAbsolutePath().normalize(), "cannot write into " + folder);
    }

    private static void checkFolder(Path abs, String what) throws InputException {
        Path existing = nearestExisting(abs);
        String problem = problem(existing);
        if (problem != null) {
            throw new InputException(what + ": " + problem);
        }
    }

    /** The folder itself, or its closest ancestor that exists (the root always does). */
    private static Path nearestExisting(Path abs) {
        Path p = abs;
        while (p.getParent() != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p;
    }

    /** Why nothing can be created in {@code dir}, or null. */
    private static String problem(Path dir) {
        if (!Files.isDirectory(dir)) {
            return dir + " is not a folder";
        }
        if (!Files.isWritable(dir)) {
            return "folder " + dir + " is not writable";
        }
        return null;
    }
}
