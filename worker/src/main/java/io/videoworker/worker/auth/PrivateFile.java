package io.videoworker.worker.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file of secrets written private from its first byte: created 0600 beside its final name,
 * written, then renamed into place, so no other local user ever sees a readable copy, and a crash
 * leaves either no file or the whole one.
 */
public final class PrivateFile {
    private PrivateFile() {
    }

    public static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        create(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes the file unless it exists, also against other processes doing the same at the same
     * moment (the nodes of a cluster sharing DATA_DIR): each writes a copy of its own and links it
     * to the name, which only one link can take. Returns whether this call wrote it (read the file
     * for the content that stands, whoever wrote it).
     */
    public static boolean writeOnce(Path file, String content) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
        try {
            create(tmp, content);
            Files.createLink(file, tmp);
            return true;
        } catch (java.nio.file.FileAlreadyExistsException taken) {
            return false; // another process was first: its content stands
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void create(Path tmp, String content) throws IOException {
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX filesystem
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
    }
}
