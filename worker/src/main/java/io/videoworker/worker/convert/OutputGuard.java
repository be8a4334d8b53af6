package io.videoworker.worker.convert;

import io.videoworker.encode.OutputWatch;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps one conversion's output within its {@link OutputLimits} while it is written: the cap on
 * all its MP4s together, and the free space that must stay on their filesystem. Free space is
 * read after every MiB written (one statvfs), and the writer stops while there is still room for
 * the next MiB, a packet as large as the largest so far and the index the trailer adds: the disk
 * never goes below the floor, rather than the conversion stopping at ENOSPC.
 */
final class OutputGuard {
    /** Bytes written between two looks at the free space. */
    static final long CHECK_EVERY_BYTES = 1 << 20;
    /** What the trailer's index (moov: sizes, times, offsets, keyframes) costs per packet, at most. */
    private static final int INDEX_BYTES_PER_PACKET = 32;

    private final long cap;
    private final long inputBytes;
    private final long minFree;
    private final FileStore store;
    private final Path dir;
    private long finishedBytes;
    private long packets;
    private long largestPacket;
    private long sinceCheck;

    /** @param dir where the MP4s are written (an existing folder) */
    OutputGuard(OutputLimits limits, long inputBytes, Path dir) throws IOException {
        this.cap = limits.capFor(inputBytes);
        this.inputBytes = inputBytes;
        this.minFree = limits.minFreeBytes();
        this.dir = dir.toAbsolutePath();
        this.store = minFree > 0 ? Files.getFileStore(this.dir) : null;
    }

    /** Refuses to begin on a disk that already keeps less than the floor. */
    void checkRoom() {
        if (store != null) {
            room(0, 0);
        }
    }

    /** The watch for the next file; its bytes count together with the files finished before it. */
    OutputWatch nextFile(Path file) {
        return (total, packet, inFile) -> {
            packets++;
            largestPacket = Math.max(largestPacket, packet);
            if (finishedBytes + total + packets * INDEX_BYTES_PER_PACKET > cap) {
                throw overCap(file);
            }
            sinceCheck += packet;
            if (store != null && sinceCheck >= CHECK_EVERY_BYTES) {
                sinceCheck = 0;
                room(finishedBytes + total, total - inFile);
            }
        };
    }

    /** A file is complete at {@code bytes} (its real size, index included): still within the cap? */
    void finished(Path file, long bytes) {
        finishedBytes += bytes;
        if (finishedBytes > cap) {
            throw overCap(file);
        }
    }

    /** @param pending bytes handed to the muxer that have not reached the disk yet (they will) */
    private void room(long written, long pending) {
        long usable;
        try {
            usable = store.getUsableSpace();
        } catch (IOException e) {
            return; // the next write tells the truth; a failed statvfs is no reason to stop
        }
        // up to the next look: another MiB and a packet; then the trailer's index
        long ahead = Math.max(0, pending) + CHECK_EVERY_BYTES + largestPacket + packets * INDEX_BYTES_PER_PACKET;
        if (usable - ahead < minFree) {
            throw new OutputLimitException(written, "stopped writing into " + dir + " with " + mib(usable)
                    + " free: the conversion must keep " + mib(minFree) + " free on its disk (" + mib(written)
                    + " written, none of it kept)");
        }
    }

    private OutputLimitException overCap(Path file) {
        String why = cap == OutputLimits.defaultCap(inputBytes)
                ? "the larger of " + mib(OutputLimits.CAP_FLOOR_BYTES) + " and " + OutputLimits.CAP_PER_INPUT_BYTE
                        + " × the recording's " + mib(inputBytes)
                : "set for this conversion";
        return new OutputLimitException(-1, file.getFileName() + ": the video grew past the output cap of "
                + mib(cap) + " (" + why + "); a recording this size should not give a video this large, so it "
                + "is not converted");
    }

    private static String mib(long bytes) {
        return bytes >= (10 << 20) || bytes == 0 ? (bytes >> 20) + " MiB"
                : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Thrown from inside the writer; the converter turns it into its checked outcome. */
    static final class OutputLimitException extends RuntimeException {
        final boolean diskFull;
        /** At the free-space floor: the bytes this conversion had written. */
        final long written;

        /** @param written at the free-space floor, the bytes written so far; past the cap, -1 */
        OutputLimitException(long written, String message) {
            super(message, null, false, false);
            this.diskFull = written >= 0;
            this.written = written;
        }
    }
}
