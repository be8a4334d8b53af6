package io.videoworker.worker.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Whether a file of caller secrets is kept from other local users. Whoever can read
 * {@code access_keys} can sign as any caller; whoever can write it, or its folder, can add a key
 * of their own. The worker creates both private (0600 in 0700); an operator's copy may not be.
 */
public final class KeyFileMode {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> OTHERS_WRITE = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private KeyFileMode() {
    }

    /** What is wrong and the command that fixes it, or null when the file is private (or the filesystem has no modes). */
    public static String problem(Path path) throws IOException {
        Path file = path.toAbsolutePath();
        Set<PosixFilePermission> mode;
        Set<PosixFilePermission> folder;
        try {
            mode = Files.getPosixFilePermissions(file);
            folder = Files.getPosixFilePermissions(file.getParent());
        } catch (UnsupportedOperationException e) {
            return null;
        }
        boolean fileOpen = mode.stream().anyMatch(OTHERS::contains);
        boolean folderWritable = folder.stream().anyMatch(OTHERS_WRITE::contains);
        if (!fileOpen && !folderWritable) {
            return null;
        }
        String fix = (fileOpen ? "chmod 600 " + file : "") + (fileOpen && folderWritable ? " && " : "")
                + (folderWritable ? "chmod 700 " + file.getParent() : "");
        return file + " is open to other local users (file " + PosixFilePermissions.toString(mode) + ", folder "
                + PosixFilePermissions.toString(folder) + "): they could " + (fileOpen ? "sign requests as any caller" : "add a key")
                + "; fix: " + fix;
    }
}
