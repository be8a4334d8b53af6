package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.Backoff;
import io.videoworker.worker.task.LocalTaskStore;
import io.videoworker.worker.task.SharedTaskStore;
import io.videoworker.worker.task.StoreUnavailableException;
import io.videoworker.worker.task.TaskStore;
import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Leases;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's tasks, put together: accepted durably ({@link Admission}), converted by a pool of
 * niced child processes oldest first ({@link Scheduler}, {@link Pipeline}, {@link ConvertStep}),
 * published ({@link PublishStep}), expired and cleaned ({@link Housekeeping}), and resumed at
 * their stage after a restart. Their state has one owner, the {@link TaskStore}. HTTP handlers
 * only call in here.
 */
public final class TaskService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
    /** Longest pause between two tries of a task waiting for disk space, or after an internal error. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    /** Longest pause between two publish attempts. */
    private static final Duration MAX_PUBLISH_PAUSE = Duration.ofMinutes(30);

    private final TaskStore store;
    /** One worker's store (it is loaded from the spool at start), or null in a cluster. */
    private final LocalTaskStore local;
    private final Scheduler scheduler;
    /** Where housekeeping rounds run: here (one worker), or on one node of the cluster at a time. */
    private final Rounds rounds;

    /** Runs a housekeeping round, or leaves it to the node that runs it now. */
    @FunctionalInterface
    private interface Rounds {
        boolean exclusively(String name, Database.Work round) throws IOException;
    }

    /**
     * How the tasks are kept and shared: one worker alone, or a node of a cluster.
     *
     * @param busyHere this node's own share of the work (its leases), or null for one worker
     */
    private record Coordination(TaskStore store, Scheduler scheduler, java.util.function.IntSupplier busyHere, Rounds rounds) {
        static Coordination alone(Spool spool, Clock clock) {
            return new Coordination(new LocalTaskStore(spool, clock), new LocalScheduler(clock), null, (name, round) -> {
                round.run();
                return true;
            });
        }

        static Coordination cluster(Database db, Leases leases, Spool spool, Clock clock, String node) {
            return new Coordination(new SharedTaskStore(db, spool, leases, clock, node), new SharedScheduler(db, leases, clock),
                    leases::count, db::exclusively);
        }
    }

    /** A cluster node's own share of the work (its leases), or null for one worker. */
    private final java.util.function.IntSupplier busyHere;
    private final Housekeeping housekeeping;
    private final Admission admission;
    private final Pipeline pipeline;
    private final TaskActions actions;
    private final int workers;

    /**
     * @param coreNotReady why core cannot take part yet (the worker is not registered), or null:
     *                     new recordings are refused and publishing waits until it is null
     */
    public TaskService(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter,
            Supplier<String> coreNotReady) {
        this(config, spool, storages, reporter, coreNotReady, Clock.systemUTC());
    }

    /** @param clock what "now" is for the task's times, retries, expiry and cleanup (tests move it) */
    public TaskService(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter,
            Supplier<String> coreNotReady, Clock clock) {
        this(config, spool, storages, reporter, coreNotReady, clock,
                new ConversionRunner(spool, new ConversionProcess("512m", config.dataDir().resolve("cache")))::run);
    }

    /** @param conversion runs the converter (tests give outcomes of their own) */
    TaskService(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter,
            Supplier<String> coreNotReady, Clock clock, ConvertStep.Conversion conversion) {
        this(config, spool, storages, reporter, coreNotReady, conversion, Coordination.alone(spool, clock));
    }

    /**
     * A node of a cluster: tasks in the cluster's database, turns claimed under leases, new work
     * refused and publishing waiting while the database cannot be reached.
     */
    public static TaskService clustered(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter,
            Supplier<String> coreNotReady, Database db, Leases leases) {
        Clock clock = Clock.systemUTC();
        Supplier<String> notReady = () -> db.problem() != null ? "the task database is unreachable: " + db.problem() : coreNotReady.get();
        return new TaskService(config, spool, storages, reporter, notReady,
                new ConversionRunner(spool, new ConversionProcess("512m", config.dataDir().resolve("cache")))::run,
                Coordination.cluster(db, leases, spool, clock, config.name()));
    }

    private TaskService(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter,
            Supplier<String> coreNotReady, ConvertStep.Conversion conversion, Coordination how) {
        Backoff waits = new Backoff(config.retryBaseDelay(), MAX_WAIT);
        this.store = how.store();
        this.local = store instanceof LocalTaskStore l ? l : null;
        this.busyHere = how.busyHere();
        this.rounds = how.rounds();
        this.scheduler = how.scheduler();
        this.housekeeping = new Housekeeping(store, spool, config.taskExpiry(), config.cleanPeriodDays());
        this.admission = new Admission(store, spool, config.spoolReserveBytes(), coreNotReady, housekeeping, scheduler::submit);
        ConvertStep convert = new ConvertStep(store, conversion, reporter, config.tasksDir(), config.spoolReserveBytes(), waits);
        PublishStep publish = new PublishStep(store, spool, storages, reporter, coreNotReady, config.retryBaseDelay(),
                config.publishRetryPeriod(), new Backoff(config.retryBaseDelay(), MAX_PUBLISH_PAUSE));
        this.pipeline = new Pipeline(store, spool, convert, publish, waits);
        this.actions = new TaskActions(store, spool, scheduler);
        this.workers = config.effectiveWorkers();
    }

    /**
     * Loads the spool, clears what a crash left behind, expires tasks that waited too long while
     * the worker was down, resumes every unfinished task at its stage and starts the pool.
     */
    public void start() throws IOException {
        List<Task> resume = local != null ? housekeeping.recover(local) : List.of(); // a cluster's turns claim what is due
        expireQuietly(); // a worker that was down longer than the expiry drops stale tasks before it takes new ones
        scheduler.start(workers, pipeline);
        resume.forEach(scheduler::submit);
        scheduler.timer().scheduleWithFixedDelay(this::expireQuietly, 1, 1, TimeUnit.MINUTES);
        scheduler.timer().scheduleWithFixedDelay(this::cleanQuietly, 0, 24, TimeUnit.HOURS);
        LOG.info("task service started: {} workers, {} tasks {}, {} to resume", workers, store.count(t -> true),
                local != null ? "in the spool" : "in the cluster", local != null ? resume.size() : "all due");
    }

    /** The task now (a snapshot: it never changes), or null. */
    public Task get(String id) {
        return store.get(id);
    }

    /** Every task now, as snapshots. */
    public List<Task> all() {
        return store.all();
    }

    /** How many tasks match now. */
    public int count(java.util.function.Predicate<Task> which) {
        return store.count(which);
    }

    /** Tells {@code observer} of every change of every task (metrics); it must be quick. */
    public void observe(TaskStore.Observer observer) {
        store.observe(observer);
    }

    /** What an administrator may do to a task. */
    public TaskActions actions() {
        return actions;
    }

    /** When the task queued longest was queued (epoch ms), or 0 when none is. */
    public long oldestQueuedAt() {
        return store.all().stream().filter(t -> t.state == TaskState.QUEUED).mapToLong(t -> t.queuedAt).min().orElse(0);
    }

    /** Tasks waiting for a conversion slot. */
    public int queued() {
        return store.count(t -> t.state == TaskState.QUEUED);
    }

    /** Tasks being converted now. */
    public int converting() {
        return store.count(t -> t.state == TaskState.CONVERTING);
    }

    /** Tasks queued or converting (what the heartbeat reports as online sessions); in a cluster, those this node works on. */
    public int busy() {
        return busyHere != null ? busyHere.getAsInt() : store.count(t -> t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING);
    }

    public Task createParts(String sessionId, JsonNode body) throws TaskException, IOException {
        return admission.createParts(sessionId, body);
    }

    public UploadResult uploadPart(String taskId, String indexText, String filename, InputStream body, long length)
            throws IOException {
        return admission.uploadPart(taskId, indexText, filename, body, length);
    }

    /** A G2 recording: fields as Lion sends them; see {@link Admission#createSingle}. */
    public Task createSingle(String pathSessionId, Map<String, String> fields, String filename, InputStream file, long length)
            throws TaskException, IOException {
        return admission.createSingle(pathSessionId, fields, filename, file, length);
    }

    /** A task that received nothing for the expiry time is dropped: the sender published its originals. */
    public void expire() throws IOException {
        expire(store.clock().millis());
    }

    /** As {@link #expire()}, as if it were {@code now} (tests). */
    public void expire(long now) throws IOException {
        housekeeping.expire(now);
    }

    /** Removes finished task folders older than the clean period (0 disables). */
    public void clean() throws IOException {
        clean(store.clock().millis());
    }

    /** As {@link #clean()}, as if it were {@code now} (tests). */
    public void clean(long now) throws IOException {
        housekeeping.clean(now);
    }

    private void expireQuietly() {
        try {
            rounds.exclusively("expiry", this::expire);
        } catch (Exception e) {
            quietly("expiry check", e);
        }
    }

    private void cleanQuietly() {
        try {
            rounds.exclusively("cleanup", this::clean);
        } catch (Exception e) {
            quietly("cleanup", e);
        }
    }

    /** A round of housekeeping failed: said once, unless the task database is down (said once by itself; the next round tries again). */
    private static void quietly(String what, Exception e) {
        if (StoreUnavailableException.in(e) == null) {
            LOG.warn("{} failed: {}", what, e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
