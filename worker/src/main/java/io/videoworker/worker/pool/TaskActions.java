package io.videoworker.worker.pool;

import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.ActionRefused;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an administrator may do to a task: publish it now, convert it again, publish its
 * originals, delete it once finished. Never while a turn is working on it (the scheduler's hold),
 * always written in the task's log and history with who asked. A task unknown is 404; an action
 * that does not fit its state now is 409 with the reason.
 */
public final class TaskActions {
    private static final Logger LOG = LoggerFactory.getLogger(TaskActions.class);

    /** How long an action waits for a turn on its task to end. */
    private static final java.time.Duration HOLD_WAIT = java.time.Duration.ofSeconds(2);

    private final TaskStore store;
    private final Spool spool;
    private final Scheduler scheduler;

    TaskActions(TaskStore store, Spool spool, Scheduler scheduler) {
        this.store = store;
        this.spool = spool;
        this.scheduler = scheduler;
    }

    /** A publish waiting for its next attempt tries at once; one that failed for good starts over. */
    public Task publishNow(String id, String who) throws TaskException, IOException {
        return act(id, who, "publish now", d -> d.publishNow(who));
    }

    /** Converts again from the recording still in the spool, counts and errors cleared. */
    public Task convertAgain(String id, String who) throws TaskException, IOException {
        return act(id, who, "convert again", d -> {
            TaskState was = d.state();
            d.convertAgain(who); // refuses what its state rules out first: the clearer reason
            recordingInSpool(d.task(), was);
        });
    }

    /** Publishes the original recording instead of a video. */
    public Task publishOriginals(String id, String who) throws TaskException, IOException {
        return act(id, who, "publish the original recording", d -> {
            TaskState was = d.state();
            d.publishOriginalsNow(who);
            recordingInSpool(d.task(), was);
        });
    }

    /** Deletes a finished task and its folder now, rather than at the end of the clean period. */
    public void delete(String id, String who) throws TaskException, IOException {
        Task t = known(id);
        if (!t.state.finished()) {
            throw new TaskException(409, "task " + id + " is " + t.state.json() + ": only a finished task can be deleted");
        }
        hold(t);
        try {
            store.remove(id);
            spool.delete(id);
        } finally {
            scheduler.release(id);
        }
        spool.relinkSessions(store.all());
        LOG.info("deleted task {} (session {}, {}), asked by {}", id, t.sessionId, t.state.json(), who);
    }

    private Task act(String id, String who, String what, TaskStore.Transition change) throws TaskException, IOException {
        Task t = known(id);
        hold(t);
        Task after;
        try {
            after = store.change(id, change);
        } catch (ActionRefused e) {
            throw new TaskException(409, e.getMessage());
        } finally {
            scheduler.release(id);
        }
        spool.log(after).info(what + ", asked by " + who);
        if (!after.state.finished()) {
            scheduler.wake(after);
        }
        return after;
    }

    private Task known(String id) throws TaskException {
        Task t = Spool.validId(id) ? store.get(id) : null;
        if (t == null) {
            throw new TaskException(404, "unknown task " + io.videoworker.worker.spool.Untrusted.quote(id));
        }
        return t;
    }

    /** Waits a moment for a turn that is ending (they record their outcome last); a longer one is refused. */
    private void hold(Task t) throws TaskException {
        long deadline = System.nanoTime() + HOLD_WAIT.toNanos();
        while (!scheduler.hold(t.id)) {
            if (System.nanoTime() > deadline) {
                throw new TaskException(409, "task " + t.id + " is being worked on right now (" + store.get(t.id).state.json()
                        + "); try again when this step ends");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TaskException(503, "stopping");
            }
        }
    }

    /** Converting or publishing originals needs every part still in the spool (a refusal undoes the change). */
    private void recordingInSpool(Task t, TaskState was) {
        for (PartFile f : t.files) {
            if (!f.received || !Files.isRegularFile(spool.inFile(t.id, f.name))) {
                throw new ActionRefused("task " + t.id + " is " + was.json() + ": its recording is no longer in the spool ("
                        + f.name + (f.received ? " is gone)" : " never arrived)"));
            }
        }
    }
}
