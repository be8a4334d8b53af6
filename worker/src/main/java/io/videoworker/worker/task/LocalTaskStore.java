package io.videoworker.worker.task;

import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The task store of a single worker: tasks in memory, each saved as its folder's {@code task.json}.
 * Everyone else holds snapshots: a {@link Task} from here is never
 * changed again (so an HTTP thread, a publisher or {@code task.json}'s writer always sees one
 * consistent task). A change goes through {@link #update}: under the task's lock, a copy of the
 * snapshot is handed to the change as a {@link TaskDraft}, saved to {@code task.json} (fsync and
 * atomic rename) if the change did something durable, and only then swapped in. A change that
 * throws, or whose save fails, leaves the task exactly as it was, on disk and in memory.
 *
 * <p>Finished tasks are kept slim (no meta, config or sealed storage config): the worker keeps
 * them for the clean period and their status needs none of it.
 */
public final class LocalTaskStore implements TaskStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalTaskStore.class);
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        volatile Task snapshot;

        Entry(Task snapshot) {
            this.snapshot = snapshot;
        }
    }

    private final Spool spool;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final TaskObservers observers = new TaskObservers();

    public LocalTaskStore(Spool spool, Clock clock) {
        this.spool = spool;
        this.clock = clock;
    }

    /** Adds an observer; it is called under the task's lock, so it must be quick and never call the store. */
    @Override
    public void observe(Observer observer) {
        observers.add(observer);
    }


    /** The time for task times, retries, expiry and cleanup (tests move it). */
    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Task get(String id) {
        Entry e = id == null ? null : entries.get(id);
        return e == null ? null : e.snapshot;
    }

    /** Every task now, as snapshots. */
    @Override
    public List<Task> all() {
        List<Task> all = new ArrayList<>(entries.size());
        entries.values().forEach(e -> all.add(e.snapshot));
        return all;
    }

    @Override
    public List<Task> ofSession(String sessionId) {
        List<Task> of = new ArrayList<>();
        entries.values().forEach(e -> {
            if (e.snapshot.sessionId.equals(sessionId)) {
                of.add(e.snapshot);
            }
        });
        return of;
    }

    @Override
    public int count(Predicate<Task> which) {
        int n = 0;
        for (Entry e : entries.values()) {
            if (which.test(e.snapshot)) {
                n++;
            }
        }
        return n;
    }

    /** Start-up: the tasks the spool holds, as loaded (finished ones kept slim). */
    public void load(Collection<Task> loaded) {
        for (Task t : loaded) {
            Task own = t.copy();
            if (own.state.finished()) {
                own.slim();
            }
            entries.put(own.id, new Entry(own));
        }
    }

    /** The new task's folder and first task.json, durably, before anything is written into it; not listed yet. */
    @Override
    public void persist(TaskDraft draft) throws IOException {
        Task t = draft.task();
        t.updatedAt = draft.now();
        spool.create(t);
    }

    /** Saves the new task (made by {@link #persist} or here) and lists it: from now on only {@link #update} changes it. */
    @Override
    public Task add(TaskDraft draft) throws IOException {
        Task t = draft.seal();
        t.updatedAt = draft.now();
        if (spool.exists(t.id)) {
            spool.save(t);
        } else {
            spool.create(t);
        }
        if (entries.putIfAbsent(t.id, new Entry(t)) != null) {
            throw new IllegalStateException("task " + t.id + " is in the store already");
        }
        observers.tell(null, t);
        return t;
    }

    /**
     * Applies {@code change} to the task under its lock and keeps the result: saved first when
     * it is durable, then made the snapshot. Returns what the change returned.
     *
     * @throws IOException the change's own, or task.json could not be saved: nothing changed
     */
    @Override
    public <R> R update(String id, Change<R> change) throws IOException {
        return apply(id, change, true);
    }

    /**
     * As {@link #update}, but when task.json cannot be saved the change is kept in memory anyway
     * (one warning; the task on disk resumes from its last saved stage after a restart). For
     * recording that work must wait or failed, which must hold even when the disk that refuses
     * task.json is the reason. The change may run twice: transitions only, no other work.
     */
    @Override
    public <R> R record(String id, Change<R> change) {
        try {
            return apply(id, change, true);
        } catch (IOException e) {
            LOG.warn("task {}: cannot save its state ({}); kept in memory, a restart resumes from the last saved one", id, e.toString());
            try {
                return apply(id, change, false);
            } catch (IOException impossible) { // nothing is saved, and transitions do no I/O
                throw new java.io.UncheckedIOException(impossible);
            }
        }
    }

    /** The running conversion's percentage: in memory only (a restart redoes the run). */
    @Override
    public void progress(String id, int percent) {
        try {
            apply(id, d -> {
                d.progress(percent);
                return null;
            }, false);
        } catch (IOException e) { // nothing is saved, so nothing can fail to be
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <R> R apply(String id, Change<R> change, boolean save) throws IOException {
        Entry e = entries.get(id);
        if (e == null) {
            throw new IllegalStateException("task " + id + " is not in the store");
        }
        e.lock.lock();
        try {
            // a finished task is slim in memory: changed, it is read whole from task.json first
            Task base = e.snapshot.slim ? spool.load(id) : e.snapshot.copy();
            TaskDraft draft = new TaskDraft(base, clock.millis());
            R result;
            try {
                result = change.apply(draft);
            } finally {
                draft.seal();
            }
            Task next = draft.task();
            switch (draft.weight()) {
                case NONE -> {
                    return result;
                }
                case DURABLE -> {
                    next.updatedAt = draft.now();
                    if (save) {
                        spool.save(next);
                    }
                }
                case MEMORY -> { }
            }
            if (next.state.finished() && !next.slim) {
                next.slim();
            }
            Task before = e.snapshot;
            e.snapshot = next;
            observers.tell(before, next);
            return result;
        } finally {
            e.lock.unlock();
        }
    }

    /** Takes a finished task out of the store (its folder is the caller's to delete). */
    @Override
    public Task remove(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return null;
        }
        e.lock.lock();
        try {
            if (!e.snapshot.state.finished()) {
                throw new IllegalStateException("task " + id + " is " + e.snapshot.state.json() + ": only finished tasks are removed");
            }
            entries.remove(id, e);
            observers.tell(e.snapshot, null);
            return e.snapshot;
        } finally {
            e.lock.unlock();
        }
    }
}
