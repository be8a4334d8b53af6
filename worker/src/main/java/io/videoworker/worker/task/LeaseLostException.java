package io.videoworker.worker.task;

/**
 * A task's turn lost its lease (another node claimed the task after the lease ran out): this node
 * stops working on the task at once and does nothing others can see. Never the task's fault:
 * whoever holds the lease now carries it on.
 */
public final class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
        super(message);
    }
}
