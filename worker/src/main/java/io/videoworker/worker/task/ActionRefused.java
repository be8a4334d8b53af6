package io.videoworker.worker.task;

/** An administrator's action that does not fit the task's state now: the person is told why (409), it is no bug. */
public final class ActionRefused extends IllegalStateException {
    public ActionRefused(String message) {
        super(message);
    }
}
