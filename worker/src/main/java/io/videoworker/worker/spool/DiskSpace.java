package io.videoworker.worker.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space on the spool's filesystem, measured against the reserve that must stay free, and
 * whether an error means the disk (not the input) is the problem.
 */
public final class DiskSpace {
    private final Path dir;
    private final long reserveBytes;

    public DiskSpace(Path dir, long reserveBytes) {
        this.dir = dir;
        this.reserveBytes = reserveBytes;
    }

    /**
     * Null when {@code neededBytes} more still leave the reserve free; otherwise the sentence a
     * caller or the task log gets.
     */
    public String shortage(long neededBytes) throws IOException {
        long usable = free();
        if (usable - neededBytes >= reserveBytes) {
            return null;
        }
        return "not enough disk space: " + size(usable) + " free"
                + (neededBytes > 0 ? ", the upload needs " + size(neededBytes) : "")
                + " and " + size(reserveBytes) + " must stay free";
    }

    /** Bytes that must stay free. */
    public long reserve() {
        return reserveBytes;
    }

    /** Bytes free for the worker on the spool's filesystem now. */
    public long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    private static String size(long bytes) {
        return bytes >= (1 << 20) || bytes == 0 ? (bytes >> 20) + " MiB" : Math.max(1, bytes >> 10) + " KiB";
    }

    /** What an I/O failure of the spool means, for a log or a caller: a full disk, or another spool error. */
    public static String trouble(IOException e) {
        return (isOutOfSpace(e) ? "not enough disk space: " : "spool error: ") + e.getMessage();
    }

    /** ENOSPC or EDQUOT anywhere in the cause chain (Java and FFmpeg both report the C library's text). */
    public static boolean isOutOfSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
