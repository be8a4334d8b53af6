package io.videoworker.worker.pool;

import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.LocalTaskStore;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool over time: recovered at start-up (crash leftovers swept, session links repaired,
 * unfinished tasks listed for resuming), tasks that stopped receiving expired, finished tasks
 * removed after the clean period.
 */
final class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private final TaskStore store;
    private final Spool spool;
    private final Duration expiry;
    private final int cleanPeriodDays;

    /** @param cleanPeriodDays days a finished task is kept; 0 keeps them for ever */
    Housekeeping(TaskStore store, Spool spool, Duration expiry, int cleanPeriodDays) {
        this.store = store;
        this.spool = spool;
        this.expiry = expiry;
        this.cleanPeriodDays = cleanPeriodDays;
    }

    /**
     * A single worker's start: loads the spool into its store, clears what a crash left behind;
     * returns the tasks to resume at their stage. (A cluster has no such start: a node's turn
     * claims what is due, and what a crash left inside a task's folder goes with the folder.)
     */
    List<Task> recover(LocalTaskStore local) throws IOException {
        List<Task> loaded = spool.all();
        try {
            List<String> swept = spool.sweep(loaded);
            if (!swept.isEmpty()) {
                LOG.info("spool: removed {} leftovers of interrupted work: {}", swept.size(), swept);
            }
        } catch (IOException e) { // leftovers cost space, not correctness: start anyway
            LOG.warn("spool: could not remove every leftover of interrupted work: {}", e.toString());
        }
        List<String> relinked = spool.relinkSessions(loaded); // links missing after an upgrade, or left dangling
        if (!relinked.isEmpty()) {
            LOG.info("spool: {} link(s) in tasks/{} made or removed", relinked.size(), Spool.BY_SESSION);
        }
        local.load(loaded);
        List<Task> resume = new ArrayList<>();
        for (Task t : loaded) {
            if (t.state.working()) {
                spool.log(t).info("resuming at stage " + t.state.json() + " after a restart");
                resume.add(store.get(t.id));
            }
        }
        return resume;
    }

    /** As of {@code now}, a task that received nothing for the expiry time is dropped: the sender published its originals. */
    void expire(long now) throws IOException {
        for (Task t : store.all()) {
            if (t.state == TaskState.RECEIVING && quiet(t, now)) {
                expire(t.id, "no part arrived for " + expiry.toMinutes() + " minutes", still -> quiet(still, now));
            }
        }
    }

    private boolean quiet(Task t, long now) {
        return now - Math.max(t.createdAt, t.lastUploadAt) > expiry.toMillis();
    }

    /** The newest task of a session wins over an older one still receiving (D-7). */
    void supersede(Task older, Task newest) throws IOException {
        expire(older.id, "superseded by task " + newest.id + " for the same session", still -> true);
    }

    /** Expires the task if it is still receiving and {@code still} holds under its lock (a part may have arrived meanwhile). */
    private void expire(String id, String why, Predicate<Task> still) throws IOException {
        boolean expired = store.update(id, d -> {
            if (d.state() != TaskState.RECEIVING || !still.test(d.task())) {
                return false;
            }
            d.expire(why);
            return true;
        });
        if (expired) {
            spool.log(store.get(id)).warn("expired: " + why + "; its files are deleted and nothing is published");
            Spool.deleteTree(spool.in(id));
            Spool.deleteTree(spool.out(id));
        }
    }

    /** As of {@code now}, removes finished task folders older than the clean period (0 disables). */
    void clean(long now) throws IOException {
        if (cleanPeriodDays <= 0) {
            return;
        }
        long cutoff = now - Duration.ofDays(cleanPeriodDays).toMillis();
        boolean cleaned = false;
        try {
            for (Task t : store.all()) {
                if (t.state.finished() && Math.max(t.finishedAt, t.updatedAt) < cutoff) {
                    if (store.remove(t.id) == null) {
                        continue; // another node of the cluster cleaned it first
                    }
                    cleaned = true;
                    spool.delete(t.id);
                    LOG.info("cleaned task {} (session {}, {}), older than {} days", t.id, t.sessionId, t.state.json(), cleanPeriodDays);
                }
            }
        } finally {
            if (cleaned) { // by-session links to the folders gone: removed, or back to an older task kept
                spool.relinkSessions(store.all());
            }
        }
    }
}
