package io.videoworker.worker.pool;

import io.videoworker.worker.spool.DiskSpace;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.Backoff;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's turn in the pool: converted if it is due, then published if it is due. Whatever goes
 * wrong is recorded on the task, never left for a restart: the spool failing under it (a full
 * disk, an I/O error) makes it wait and try again; a bug is tried again after a pause and, at the
 * {@link #INTERNAL_ERROR_TRIES}-th, fails the task visibly with its files kept.
 */
final class Pipeline implements Scheduler.Turn {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    /** Unexpected errors a task survives before it fails visibly. */
    static final int INTERNAL_ERROR_TRIES = 3;

    private final TaskStore store;
    private final Spool spool;
    private final ConvertStep convert;
    private final PublishStep publish;
    /** Pauses after spool trouble and internal errors. */
    private final Backoff waits;

    Pipeline(TaskStore store, Spool spool, ConvertStep convert, PublishStep publish, Backoff waits) {
        this.store = store;
        this.spool = spool;
        this.convert = convert;
        this.publish = publish;
        this.waits = waits;
    }

    @Override
    public Task take(String id) throws InterruptedException {
        Task t = store.get(id);
        if (t == null || !working(t)) { // cleaned, finished or never queued: nothing to do
            return null;
        }
        try (TaskLog.Tag ids = TaskLog.tag(t.id, t.sessionId)) { // every line while working on it names it
            TaskLog log = spool.log(t);
            try {
                if (t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING) {
                    convert.run(id, log);
                }
                if (store.get(id).state == TaskState.PUBLISHING) {
                    publish.run(id, log);
                }
            } catch (InterruptedException | io.videoworker.worker.task.LeaseLostException e) {
                throw e; // stopping, or another node carries the task on: nothing to record here
            } catch (IOException e) { // the spool failed under the task: nothing is lost, try again later
                LOG.warn("task {}: spool error, will try again: {}", id, e.toString());
                waitForSpool(id, log, DiskSpace.trouble(e));
            } catch (Exception e) {
                log.error("internal error: " + e);
                LOG.error("task {} failed internally", id, e);
                internalError(id, log, e);
            }
        }
        Task left = store.get(id);
        return left != null && working(left) ? left : null;
    }

    private static boolean working(Task t) {
        return t.state.working();
    }

    private void waitForSpool(String id, TaskLog log, String why) {
        Task t = store.get(id);
        if (!working(t)) {
            log.warn(why + " while finishing; the restart sweep removes what is left");
            return;
        }
        boolean publishing = t.state == TaskState.PUBLISHING;
        long delay = store.record(id, d -> d.waitForSpool(why, waits));
        log.warn((publishing ? "publishing interrupted: " : "conversion paused: ") + why + "; next try in "
                + Math.max(1, delay / 1000) + " s" + (publishing ? "" : " (not counted as a failed attempt)"));
    }

    private void internalError(String id, TaskLog log, Exception e) {
        if (!working(store.get(id))) {
            log.warn("the internal error came after the task had finished; it stays as it is");
            return;
        }
        boolean failed = store.record(id, d -> d.internalError(e.toString(), INTERNAL_ERROR_TRIES, waits));
        Task t = store.get(id);
        if (failed) {
            log.error("failed: " + t.error + "; its files stay in the spool until the clean period");
        } else {
            log.warn("internal error " + t.internalErrors + " of " + INTERNAL_ERROR_TRIES + "; next try in "
                    + Math.max(1, waits.pause(t.internalErrors) / 1000) + " s");
        }
    }
}
