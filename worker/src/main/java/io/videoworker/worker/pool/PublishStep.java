package io.videoworker.worker.pool;

import io.videoworker.worker.publish.Publisher;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.task.Backoff;
import io.videoworker.worker.task.TaskDraft;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One publish attempt: the result (or, after a failed conversion, the originals) into replay
 * storage, then core told. A failure is retried with backoff and jitter for the retry period,
 * across restarts, then the task fails with replay_upload_failed; its files stay in the spool
 * until then. Once the objects are in, that is saved before anything else, so a retry only
 * tells core again and never uploads twice.
 */
final class PublishStep {
    private final TaskStore store;
    private final Spool spool;
    private final StorageResolver storages;
    private final Publisher publisher;
    private final SessionReporter reporter;
    private final Supplier<String> coreNotReady;
    private final Duration lookAgain;
    private final Duration retryPeriod;
    private final Backoff retries;

    /**
     * @param coreNotReady why core cannot take part yet, or null; while it says why, publishing
     *                     waits uncounted and looks again after {@code lookAgain}
     */
    PublishStep(TaskStore store, Spool spool, StorageResolver storages, SessionReporter reporter, Supplier<String> coreNotReady,
            Duration lookAgain, Duration retryPeriod, Backoff retries) {
        this.store = store;
        this.spool = spool;
        this.storages = storages;
        this.publisher = new Publisher(spool);
        this.reporter = reporter;
        this.coreNotReady = coreNotReady;
        this.lookAgain = lookAgain;
        this.retryPeriod = retryPeriod;
        this.retries = retries;
    }

    void run(String id, TaskLog log) throws IOException {
        String waiting = coreNotReady.get();
        if (waiting != null) { // not a failed attempt: nothing was tried
            if (!waiting.equals(store.get(id).lastPublishError)) {
                log.warn("publishing waits: " + waiting);
            }
            store.change(id, d -> d.publishWaits(waiting, d.now() + lookAgain.toMillis()));
            return;
        }
        Task t = store.get(id);
        try {
            if (!t.uploadDone) {
                t = upload(t, log);
            }
            store.fence(id); // in a cluster: only while this node still holds the task
            reporter.published(t, log);
        } catch (IOException | RuntimeException e) {
            failed(id, log, e);
            return;
        }
        // the files go once the objects are in (saved above): a finished task holds nothing more
        Spool.deleteTree(spool.in(id));
        Spool.deleteTree(spool.out(id));
        store.change(id, TaskDraft::published);
    }

    private Task upload(Task t, TaskLog log) throws IOException {
        store.fence(t.id);
        if (t.publishAttempts == 0) { // once per publish cycle, as Lion sends it once: not again on every retry
            reporter.event(t, "replay_upload_start", null, log);
        }
        if (t.sessionDate == null) { // the keys' folder must be the day core looks under
            String day = reporter.sessionDay(t, log);
            t = store.change(t.id, d -> d.sessionDated(day));
        }
        StorageResolver.Resolution where = storages.resolve(t.storageConfigSealed, log);
        store.change(t.id, d -> d.storageResolved(where.storage().type(), where.sealed()));
        ReplayStorage storage = where.storage();
        store.fence(t.id);
        Publisher.Published done;
        try {
            done = t.publishesOriginals() ? publisher.publishOriginals(t, storage, log) : publisher.publishConverted(t, storage, log);
        } finally {
            if (storage instanceof AutoCloseable c) { // a client made for this publish only
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing " + storage.describe() + ": " + e.getMessage());
                }
            }
        }
        // not saved, not done: a failure here keeps the files for another try
        Task uploaded = store.change(t.id, d -> d.uploaded(storage.type(), done.keys(), done.bytes(), done.note()));
        store.fence(t.id);
        reporter.event(uploaded, "replay_upload_success", null, log);
        return uploaded;
    }

    private void failed(String id, TaskLog log, Exception e) throws IOException {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        long pause = store.update(id, d -> d.publishFailed(why, retryPeriod, retries) ? -1 : d.task().nextAttemptAt - d.now());
        Task t = store.get(id);
        if (pause >= 0) {
            log.warn("publish attempt " + t.publishAttempts + " failed: " + why + "; next attempt in " + pause / 1000 + " s");
            return;
        }
        log.error("giving up publishing after " + t.publishAttempts + " attempts: " + why
                + "; the files stay in the spool until the clean period");
        store.fence(id);
        reporter.event(t, "replay_upload_failure", why, log);
        try {
            reporter.publishFailed(t, log);
        } catch (IOException notTold) {
            log.warn("could not tell core about the failure: " + notTold.getMessage());
        }
    }
}
