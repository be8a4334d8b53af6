package io.videoworker.worker.task;

import java.io.IOException;

/**
 * The shared task store (PostgreSQL) cannot be reached. A caller is told to try again later
 * (HTTP 503: a sender keeps its recording); a task's turn waits to record its result instead.
 */
public final class StoreUnavailableException extends IOException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** For the calls that declare no IOException (reads): unchecked, same meaning. */
    public java.io.UncheckedIOException unchecked() {
        return new java.io.UncheckedIOException(getMessage(), this);
    }

    /** This exception in {@code e}'s cause chain, or null. */
    public static StoreUnavailableException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreUnavailableException s) {
                return s;
            }
        }
        return null;
    }
}
