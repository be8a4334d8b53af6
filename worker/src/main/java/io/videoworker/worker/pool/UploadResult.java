package io.videoworker.worker.pool;

/** Outcome of a part upload as Lion reads it: {@code {"ok":…,"error_message":…}}. */
public record UploadResult(boolean ok, String message) {
}
