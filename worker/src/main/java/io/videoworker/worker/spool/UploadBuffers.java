package io.videoworker.worker.spool;

/**
 * Sizes the two read-ahead buffers of each upload. A part needs no buffer larger than itself; a
 * big one reads 1 MiB at a time (near disk speed) while the budget lasts. Past the budget, uploads
 * read 64 KiB at a time (slower) rather than take more heap, so memory stays bounded however many
 * parts arrive at once (Jetty runs up to 250 requests; at 2 MiB each that would exceed a 512 MiB heap).
 */
final class UploadBuffers {
    static final int SMALLEST = 16 << 10;
    static final int FALLBACK = 64 << 10;
    static final int LARGEST = 1 << 20;

    private final long budget;
    private long held;

    /** @param budget bytes all uploads' buffers may hold together */
    UploadBuffers(long budget) {
        this.budget = budget;
    }

    /** The buffer size for an upload of about {@code expectedBytes} (-1: unknown); hand it back to {@link #release}. */
    synchronized int reserve(long expectedBytes) {
        int size = expectedBytes < 0 ? LARGEST : (int) Math.max(SMALLEST, Math.min(LARGEST, expectedBytes));
        if (size > FALLBACK && held + 2L * size > budget) {
            size = FALLBACK;
        }
        held += 2L * size;
        return size;
    }

    synchronized void release(int size) {
        held -= 2L * size;
    }

    /** Bytes reserved by uploads in progress. */
    synchronized long held() {
        return held;
    }
}
