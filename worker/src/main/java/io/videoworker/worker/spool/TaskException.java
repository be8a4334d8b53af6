package io.videoworker.worker.spool;

/** A request about a task that cannot be honoured; {@code status} is the HTTP status to answer. */
public class TaskException extends Exception {
    private final int status;

    public TaskException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
