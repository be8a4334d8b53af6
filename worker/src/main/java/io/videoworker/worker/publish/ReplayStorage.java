package io.videoworker.worker.publish;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where replays go, by JumpServer's object keys ({@code 2025-11-18/<sid>/<sid>.0.part.mp4},
 * {@code 2025-11-18/<sid>.replay.mp4}). Implementations must make an object visible only once
 * complete, and overwrite an existing one (republishing after a crash is harmless).
 */
public interface ReplayStorage {
    void put(String key, Path file) throws IOException;

    /** Removes an object if present (a stale .replay.gz must not hide a .replay.mp4). */
    void delete(String key) throws IOException;

    /**
     * The object's size in bytes, or -1 when there is none: publishing an original must not put a
     * {@code .replay.gz} beside the session's {@code .replay.mp4}, which core would then hide.
     */
    long sizeOf(String key) throws IOException;

    /** For logs: the kind of storage and where. */
    String describe();

    /** The kind of storage, as core names it (local for the stand-alone folder): a metric label, never a secret. */
    String type();
}
