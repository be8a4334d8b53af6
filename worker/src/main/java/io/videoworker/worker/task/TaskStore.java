package io.videoworker.worker.task;

import io.videoworker.worker.spool.Task;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The one owner of task state. Everyone else holds snapshots: a {@link Task} from here is never
 * changed again (so an HTTP thread, a publisher or the writer of the task's record always sees one
 * consistent task). A change goes through {@link #update}: under the task's lock a copy of the
 * snapshot is handed to the change as a {@link TaskDraft}, kept durably if the change did
 * something durable, and only then made the snapshot. A change that throws, or whose save fails,
 * leaves the task exactly as it was.
 *
 * <p>Two stores keep this promise: {@link LocalTaskStore} (one worker: memory and
 * {@code task.json}) and {@link SharedTaskStore} (a cluster: rows in PostgreSQL, the lock a row
 * lock, and changes by a task's turn fenced by its lease).
 */
public interface TaskStore {
    /** A change of one task that decides something: transitions on the draft, and any work that must happen under the task's lock. */
    @FunctionalInterface
    interface Change<R> {
        R apply(TaskDraft draft) throws IOException;
    }

    /** A change of one task: transitions on the draft. */
    @FunctionalInterface
    interface Transition {
        void apply(TaskDraft draft) throws IOException;
    }

    /** Told of every change kept here (metrics, for one): before is null for a new task, after null for one removed. */
    @FunctionalInterface
    interface Observer {
        void changed(Task before, Task after);
    }

    /** Adds an observer; it is called under the task's lock, so it must be quick and never call the store. */
    void observe(Observer observer);

    /** The time for task times, retries, expiry and cleanup (tests move it). */
    Clock clock();

    /** The task now, or null. */
    Task get(String id);

    /** Every task now, as snapshots. */
    List<Task> all();

    /** The session's tasks now. */
    List<Task> ofSession(String sessionId);

    int count(Predicate<Task> which);

    /** A new task of the session, not yet stored: its maker describes it, then {@link #add}s it. */
    default TaskDraft draft(String sessionId, Task.Kind kind) {
        return TaskDraft.create(UUID.randomUUID().toString(), sessionId.toLowerCase(Locale.ROOT), kind, clock().millis());
    }

    /** The new task's folder and first record, durably, before anything is written into it; not listed yet. */
    void persist(TaskDraft draft) throws IOException;

    /** Stores the new task (made by {@link #persist} or here) and lists it: from now on only {@link #update} changes it. */
    Task add(TaskDraft draft) throws IOException;

    /**
     * Applies {@code change} to the task under its lock and keeps the result: saved first when
     * it is durable, then made the snapshot. Returns what the change returned.
     *
     * @throws IOException the change's own, or the task could not be saved: nothing changed
     */
    <R> R update(String id, Change<R> change) throws IOException;

    /** As {@link #update} for a change that returns nothing; returns the task as it is now. */
    default Task change(String id, Transition transition) throws IOException {
        return update(id, d -> {
            transition.apply(d);
            return d.task();
        });
    }

    /**
     * As {@link #update}, for recording that work must wait or failed, which must hold even when
     * the storage that refuses the change is the reason. The change may run twice: transitions
     * only, no other work.
     */
    <R> R record(String id, Change<R> change);

    /** The running conversion's percentage: never saved with the fsync a state change costs. */
    void progress(String id, int percent);

    /**
     * Before an action others can see (an upload to storage, a call to core): returns only while
     * this worker may still act for the task. One worker always may; in a cluster the task's turn
     * must still hold its lease, fresh enough to outlast the action's start.
     *
     * @throws LeaseLostException another node works on the task now
     */
    default void fence(String id) {
    }

    /** Takes a finished task out of the store (its folder is the caller's to delete); null if unknown. */
    Task remove(String id);
}
