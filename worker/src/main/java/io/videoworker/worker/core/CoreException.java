package io.videoworker.worker.core;

import java.io.IOException;

/** A call to JumpServer core failed; {@code status} is the HTTP status, or 0 if core was not reached. */
public class CoreException extends IOException {
    private final int status;

    public CoreException(int status, String message) {
        super(message);
        this.status = status;
    }

    public CoreException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
