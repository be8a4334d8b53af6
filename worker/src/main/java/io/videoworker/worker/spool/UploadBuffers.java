package io.videoworker.worker.spool;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sizes and lends the read-ahead chunks of uploads: direct buffers, so the disk gets them without
 * the JDK's extra copy of heap arrays. A part needs no chunk larger than itself; a big one reads
 * 256 KiB at a time while the budget lasts, and past it 64 KiB at a time (slower) rather than take
 * more memory, so memory stays bounded however many parts arrive at once (Jetty runs up to 250
 * requests). Full-size chunks are kept for the next upload.
 */
final class UploadBuffers {
    static final int CHUNKS = 4;
    static final int SMALLEST = 16 << 10;
    static final int FALLBACK = 64 << 10;
    static final int LARGEST = 256 << 10;
    private static final int IDLE_MAX = 64;

    private final long budget;
    private final Queue<ByteBuffer> idle = new ConcurrentLinkedQueue<>();
    private long held;

    /** @param budget bytes all uploads' chunks may hold together */
    UploadBuffers(long budget) {
        this.budget = budget;
    }

    /** The chunk size for an upload of about {@code expectedBytes} (-1: unknown); hand it back to {@link #release}. */
    synchronized int reserve(long expectedBytes) {
        int size = expectedBytes < 0 ? LARGEST : (int) Math.max(SMALLEST, Math.min(LARGEST, expectedBytes));
        if (size > FALLBACK && held + (long) CHUNKS * size > budget) {
            size = FALLBACK;
        }
        held += (long) CHUNKS * size;
        return size;
    }

    synchronized void release(int size) {
        held -= (long) CHUNKS * size;
    }

    /** Bytes reserved by uploads in progress. */
    synchronized long held() {
        return held;
    }

    ByteBuffer take(int size) {
        ByteBuffer b = size == LARGEST ? idle.poll() : null;
        return b != null ? b.clear() : ByteBuffer.allocateDirect(size);
    }

    void giveBack(ByteBuffer b) {
        if (b.capacity() == LARGEST && idle.size() < IDLE_MAX) {
            idle.offer(b);
        }
    }
}
