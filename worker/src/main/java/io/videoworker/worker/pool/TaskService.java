package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.convert.ReplayDates;
import io.videoworker.worker.publish.Publisher;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.DiskSpace;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.PartWriter;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's tasks: accepted durably, converted by a pool of niced child processes (oldest
 * first), published, expired when incomplete, cleaned up after the clean period, and resumed
 * at their stage after a restart. HTTP handlers only call in here.
 */
public final class TaskService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
    private static final Pattern UUID_RE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern INDEX = Pattern.compile("[0-9]{1,9}");
    private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final int CONVERT_ATTEMPTS = 2;
    /** Unexpected errors a task survives before it fails visibly. */
    static final int INTERNAL_ERROR_TRIES = 3;
    /** Longest pause between two tries of a task waiting for disk space. */
    private static final long MAX_DISK_WAIT_MS = Duration.ofMinutes(5).toMillis();
    /** Longest a task waits for disk space in all (its pauses added up) before its originals are published. */
    private static final long MAX_DISK_WAIT_TOTAL_MS = Duration.ofHours(1).toMillis();
    /** Runs whose video reached the disk's floor before it is taken not to fit on this disk at all. */
    private static final int MAX_OUT_OF_ROOM_RUNS = 3;

    private final WorkerConfig config;
    private final Clock clock;
    /** Waits for disk space, and retries after an internal error: retry base doubling, at most five minutes. */
    private final Backoff waits;
    /** Publish retries: retry base doubling, at most 30 minutes, with jitter. */
    private final Backoff publishRetries;
    private final Spool spool;
    private final StorageResolver storages;
    private final SessionReporter reporter;
    private final Supplier<String> coreNotReady;
    private final Publisher publisher;
    private final PartWriter writer;
    private final DiskSpace disk;
    private final ConversionRunner runner;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final PriorityBlockingQueue<Task> queue =
            new PriorityBlockingQueue<>(64, java.util.Comparator.comparingLong((Task t) -> t.queuedAt).thenComparing(t -> t.id));
    private ExecutorService workers;
    private ScheduledExecutorService housekeeping;

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
        this.clock = clock;
        this.config = config;
        this.waits = new Backoff(config.retryBaseDelay(), Duration.ofMillis(MAX_DISK_WAIT_MS));
        this.publishRetries = new Backoff(config.retryBaseDelay(), Duration.ofMinutes(30));
        this.spool = spool;
        this.storages = storages;
        this.reporter = reporter;
        this.coreNotReady = coreNotReady;
        this.publisher = new Publisher(spool);
        this.writer = new PartWriter(config.spoolReserveBytes());
        this.disk = new DiskSpace(config.tasksDir(), config.spoolReserveBytes());
        this.runner = new ConversionRunner(spool, new ConversionProcess("512m", config.dataDir().resolve("cache")));
    }

    /**
     * Loads the spool, clears what a crash left behind, expires tasks that waited too long while
     * the worker was down, resumes every unfinished task at its stage and starts the pool.
     */
    public void start() throws IOException {
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
        List<Task> resumeQueue = new ArrayList<>();
        for (Task t : loaded) {
            if (t.state.finished()) {
                t.slim(); // kept for status and the clean period only
            }
            tasks.put(t.id, t);
            switch (t.state) {
                case QUEUED, CONVERTING, PUBLISHING -> {
                    spool.log(t).info("resuming at stage " + t.state.json() + " after a restart");
                    resumeQueue.add(t);
                }
                default -> { }
            }
        }
        expireQuietly(); // a worker that was down longer than the expiry drops stale tasks before it takes new ones
        int n = config.effectiveWorkers();
        workers = Executors.newFixedThreadPool(n, r -> {
            Thread th = new Thread(r, "convert");
            th.setDaemon(true);
            return th;
        });
        for (int i = 0; i < n; i++) {
            workers.submit(this::workLoop);
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "housekeeping");
            th.setDaemon(true);
            return th;
        });
        for (Task t : resumeQueue) {
            schedule(t);
        }
        housekeeping.scheduleWithFixedDelay(this::expireQuietly, 1, 1, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(this::cleanQuietly, 0, 24, TimeUnit.HOURS);
        LOG.info("task service started: {} workers, {} tasks in the spool, {} to resume", n, tasks.size(), resumeQueue.size());
    }

    public Task get(String id) {
        return id == null ? null : tasks.get(id);
    }

    /** Tasks waiting for a conversion slot. */
    public int queued() {
        return (int) tasks.values().stream().filter(t -> t.state == TaskState.QUEUED).count();
    }

    /** Tasks being converted now. */
    public int converting() {
        return (int) tasks.values().stream().filter(t -> t.state == TaskState.CONVERTING).count();
    }

    /** Tasks queued or converting (what the heartbeat reports as online sessions). */
    public int busy() {
        return (int) tasks.values().stream().filter(t -> t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING).count();
    }

    // ---- G3: create, then one upload per part ------------------------------------------------

    public Task createParts(String sessionId, JsonNode body) throws TaskException, IOException {
        if (sessionId == null || !UUID_RE.matcher(sessionId).matches()) {
            throw new TaskException(400, "session id " + Untrusted.quote(sessionId) + " is not a UUID");
        }
        PartsRequest request = PartsRequest.parse(sessionId, body);
        Task t = newTask(sessionId, Task.Kind.PARTS);
        t.meta = request.meta();
        t.config = request.config();
        t.maxFrame = configInt(t.config, "maxframe");
        t.width = configInt(t.config, "width");
        t.height = configInt(t.config, "height");
        t.bitrate = configInt(t.config, "bitrate");
        t.files.addAll(request.files());
        JsonNode meta = t.meta;
        t.sessionDate = day(meta, meta.has("date_start") ? "date_start" : "data_start");
        createInSpool(t);
        spool.linkSession(t);
        TaskLog log = spool.log(t);
        log.info("created for session " + sessionId + " with " + t.files.size() + " part(s); config " + Untrusted.quote(String.valueOf(t.config))
                + (t.bitrate > 0 ? " (Bitrate is only logged: quality is the worker's own setting)" : ""));
        supersedeOlder(t);
        tasks.put(t.id, t);
        return t;
    }

    /** Outcome of a part upload as Lion reads it. */
    public record UploadResult(boolean ok, String message) {
    }

    public UploadResult uploadPart(String taskId, String indexText, String filename, InputStream body, long length)
            throws IOException {
        if (!Spool.validId(taskId)) {
            return new UploadResult(false, "task id " + Untrusted.quote(taskId) + " is not a task id (a lower-case UUID)");
        }
        Task t = get(taskId);
        if (t == null || t.kind != Task.Kind.PARTS) {
            return new UploadResult(false, "unknown task " + Untrusted.quote(taskId));
        }
        if (indexText == null || !INDEX.matcher(indexText).matches()) {
            return new UploadResult(false, "part index " + Untrusted.quote(indexText) + " is not a number");
        }
        int index = Integer.parseInt(indexText);
        if (filename != null && !Untrusted.isBaseName(filename)) {
            // Lion sends the base name; a path here is hostile or broken, never a harmless mismatch
            return new UploadResult(false, "part " + index + ": file name " + Untrusted.quote(filename) + " is not a plain file name");
        }
        TaskLog log = spool.log(t);
        if (index < 0 || index >= t.files.size()) {
            return new UploadResult(false, "part index " + index + " is out of range: the task has " + t.files.size() + " part(s)");
        }
        PartFile part = t.files.get(index);
        if (filename != null && !filename.equals(part.name)) {
            log.warn("part " + index + " arrived named " + Untrusted.quote(filename) + ", expected " + part.name + "; kept as " + part.name);
        }
        boolean accepted;
        synchronized (t) {
            accepted = part.received;
            if (!accepted && t.state != TaskState.RECEIVING) {
                return new UploadResult(false, "task " + t.id + " no longer accepts parts (" + t.state.json() + ")");
            }
        }
        if (accepted) { // an accepted part never changes: the same bytes again are fine, others are refused
            return repeatedUpload(index, part, body, log);
        }
        // Uploads of one part may overlap (a sender's retry, or a hostile second connection): each
        // streams into a temporary file of its own, and only the first complete, verified one takes
        // the part's name, under the task's lock; a later one is then a repeat of an accepted part
        try (PartWriter.Pending pending = writer.receive(body, spool.inFile(t.id, part.name), length, part.checksum)) {
            PartWriter.Received r = pending.received();
            synchronized (t) {
                if (part.received) { // another upload of the same bytes (the checksum says so) was accepted meanwhile
                    log.info("part " + index + " (" + part.name + ") arrived again while it was being accepted; the copy is discarded");
                    return new UploadResult(true, "");
                }
                if (t.state != TaskState.RECEIVING) {
                    return new UploadResult(false, "task " + t.id + " no longer accepts parts");
                }
                pending.commit();
                part.received = true;
                long lastUpload = t.lastUploadAt;
                t.lastUploadAt = clock.millis();
                try {
                    if (t.allReceived()) {
                        enqueue(t, log);
                    } else {
                        spool.save(t);
                    }
                } catch (IOException e) { // not durable, so not ok: the sender keeps its copy
                    part.received = false;
                    t.lastUploadAt = lastUpload;
                    t.state = TaskState.RECEIVING;
                    queue.remove(t);
                    try {
                        java.nio.file.Files.deleteIfExists(r.file()); // never acknowledged: the next upload of the part takes its place
                    } catch (IOException ignored) {
                        // the start-up sweep removes it (the part is not received)
                    }
                    String why = spoolTrouble(e);
                    log.warn("part " + index + " (" + part.name + ") refused: its arrival could not be recorded: " + why);
                    return new UploadResult(false, why);
                }
                log.info("part " + index + " (" + part.name + ") received: " + r.bytes() + " bytes, SHA-256 verified");
            }
        } catch (PartWriter.ChecksumException | PartWriter.DiskFullException | PartWriter.AlreadyThereException e) {
            log.warn("part " + index + " (" + part.name + ") refused: " + e.getMessage());
            return new UploadResult(false, e.getMessage());
        }
        return new UploadResult(true, "");
    }

    /** A part accepted before: read the body only to compare it; nothing on disk changes either way. */
    private static UploadResult repeatedUpload(int index, PartFile part, InputStream body, TaskLog log) throws IOException {
        try {
            PartWriter.verify(body, part.checksum);
        } catch (PartWriter.ChecksumException e) {
            String why = "part " + index + " was accepted already and is never replaced: " + e.getMessage();
            log.warn("part " + index + " (" + part.name + ") refused: " + why);
            return new UploadResult(false, why);
        }
        log.info("part " + index + " (" + part.name + ") arrived again with the same bytes; the accepted file is kept as it is");
        return new UploadResult(true, "");
    }

    // ---- G2: one multipart request -------------------------------------------------------------

    /**
     * Fields as Lion sends them (values of "" or "0" are simply absent).
     *
     * @param pathSessionId the session id in the request path, which must be the field's
     * @param filename      the file's name in the multipart body, or null
     */
    public Task createSingle(String pathSessionId, Map<String, String> fields, String filename, InputStream file, long length)
            throws TaskException, IOException {
        String sid = fields.get("session_id");
        if (sid == null || !UUID_RE.matcher(sid).matches()) {
            throw new TaskException(400, "field session_id " + Untrusted.quote(sid) + " is not a UUID");
        }
        if (pathSessionId == null || !pathSessionId.equalsIgnoreCase(sid)) {
            throw new TaskException(400, "session id in the path " + Untrusted.quote(pathSessionId)
                    + " differs from the field session_id " + sid);
        }
        if (filename != null && !Untrusted.isBaseName(filename)) {
            throw new TaskException(400, "file name " + Untrusted.quote(filename) + " is not a plain file name");
        }
        String date = fields.get("session_date");
        if (date != null && !ReplayDates.isDay(date)) {
            throw new TaskException(400, "field session_date " + Untrusted.quote(date) + " is not a date like 2025-11-18");
        }
        Task t = newTask(sid, Task.Kind.SINGLE);
        t.componentType = fields.getOrDefault("component_type", "");
        t.fileType = fields.getOrDefault("file_type", ".gz");
        t.width = parseInt(fields.get("width"));
        t.height = parseInt(fields.get("height"));
        t.bitrate = parseInt(fields.get("bitrate"));
        t.sessionDate = date != null ? date : LocalDate.now(ZoneOffset.UTC).toString();
        PartFile f = new PartFile();
        f.name = sid + ".replay.gz";
        t.files.add(f);
        createInSpool(t);
        TaskLog log = spool.log(t);
        log.info("created for session " + sid + " (single recording from " + Untrusted.quote(t.componentType) + ")");
        try {
            PartWriter.Received r = writer.write(file, spool.inFile(t.id, f.name), length, null);
            f.size = r.bytes();
            f.checksum = r.sha256();
            f.received = true;
            t.lastUploadAt = clock.millis();
            log.info("recording received: " + r.bytes() + " bytes, SHA-256 " + r.sha256());
        } catch (IOException e) {
            log.warn("upload failed, task dropped (the sender keeps its copy): " + e.getMessage());
            spool.delete(t.id);
            throw new TaskException(e instanceof PartWriter.DiskFullException ? 507 : 400, e.getMessage());
        }
        synchronized (t) {
            tasks.put(t.id, t);
            try {
                enqueue(t, log);
            } catch (IOException e) {
                tasks.remove(t.id);
                queue.remove(t);
                spool.delete(t.id);
                throw new TaskException(DiskSpace.isOutOfSpace(e) ? 507 : 500, "the recording arrived but could not be recorded: "
                        + e.getMessage());
            }
        }
        spool.linkSession(t); // only now: a task dropped above leaves no link behind
        return t;
    }

    /**
     * The task's folder and first task.json; refused while core cannot take part (the sender then
     * keeps and uploads its own recording) or the disk keeps less than the reserve.
     */
    private void createInSpool(Task t) throws TaskException, IOException {
        String waiting = coreNotReady.get();
        if (waiting != null) {
            throw new TaskException(503, waiting);
        }
        String shortage = disk.shortage(0);
        if (shortage != null) {
            throw new TaskException(507, shortage);
        }
        try {
            spool.create(t);
        } catch (IOException e) {
            if (DiskSpace.isOutOfSpace(e)) {
                throw new TaskException(507, "not enough disk space: " + e.getMessage());
            }
            throw e;
        }
    }

    // ---- the pool ------------------------------------------------------------------------------

    private void enqueue(Task t, TaskLog log) throws IOException {
        t.state = TaskState.QUEUED;
        t.queuedAt = clock.millis();
        spool.save(t);
        log.info("all parts received; queued for conversion");
        queue.add(t);
    }

    private void workLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            Task t;
            try {
                t = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try (TaskLog.Tag ids = TaskLog.tag(t.id, t.sessionId)) { // every line while working on it names it
                if (!work(t)) {
                    return;
                }
            }
        }
    }

    /** One turn of a task through the pool; false when the pool is being stopped. */
    private boolean work(Task t) {
        try {
            process(t);
        } catch (InterruptedException e) {
            return false;
        } catch (IOException e) {
            // the spool failed under the task (a full disk, an I/O error): nothing is lost, try again later
            LOG.warn("task {}: spool error, will try again: {}", t.id, e.toString());
            retryAfterSpoolError(t, e);
        } catch (Exception e) {
            spool.log(t).error("internal error: " + e);
            LOG.error("task {} failed internally", t.id, e);
            afterInternalError(t, e);
        }
        return true;
    }

    /**
     * A bug met while working on the task must not leave it "converting" until the next restart:
     * it is tried again after a pause, and after {@link #INTERNAL_ERROR_TRIES} the task fails
     * visibly (its files stay in the spool for the clean period).
     */
    private void afterInternalError(Task t, Exception e) {
        TaskLog log = spool.log(t);
        boolean givenUp;
        long delay;
        synchronized (t) {
            t.internalErrors++;
            givenUp = t.internalErrors >= INTERNAL_ERROR_TRIES;
            delay = waits.pause(t.internalErrors);
            if (givenUp) {
                t.state = TaskState.FAILED;
                t.error = "internal error, given up after " + t.internalErrors + " tries: " + e;
                if (t.errorReason == null) {
                    t.errorReason = t.uploadDone ? "replay_upload_failed" : "replay_convert_failed";
                }
                t.finishedAt = clock.millis();
                t.nextAttemptAt = 0;
            } else {
                if (t.state == TaskState.CONVERTING) {
                    t.state = TaskState.QUEUED;
                    t.progress = 0;
                }
                t.nextAttemptAt = clock.millis() + delay;
            }
            try {
                spool.save(t);
            } catch (IOException | RuntimeException saveFailed) { // the state in memory stands; a restart resumes from disk
                LOG.warn("task {}: cannot save after an internal error: {}", t.id, saveFailed.toString());
            }
        }
        if (givenUp) {
            log.error("failed: " + t.error + "; its files stay in the spool until the clean period");
            t.slim();
        } else {
            log.warn("internal error " + t.internalErrors + " of " + INTERNAL_ERROR_TRIES + "; next try in "
                    + Math.max(1, delay / 1000) + " s");
            schedule(t);
        }
    }

    private void process(Task t) throws IOException, InterruptedException {
        TaskLog log = spool.log(t);
        if (t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING) {
            convert(t, log);
        }
        if (t.state == TaskState.PUBLISHING) {
            publish(t, log);
        }
    }

    private void convert(Task t, TaskLog log) throws IOException, InterruptedException {
        // A conversion keeps twice the reserve free: the reserve itself, and as much again for the
        // uploads that arrive while it writes, so a video growing on the disk never turns them away.
        long floor = 2 * config.spoolReserveBytes();
        while (true) {
            long waited = diskWaited(t);
            if (waited >= MAX_DISK_WAIT_TOTAL_MS) {
                giveUp(t, log, "not enough disk space to convert: waited " + Duration.ofMillis(waited).toMinutes()
                        + " minutes in all over " + t.diskWaits + " pauses"
                        + (t.lastConvertError != null ? " (last: " + t.lastConvertError + ")" : ""));
                return;
            }
            String shortage = new DiskSpace(config.tasksDir(), floor).shortage(0);
            if (shortage != null) {
                pause(t, log, shortage.replace("must stay free", "must stay free while converting"));
                return;
            }
            long freeBefore = disk.free();
            synchronized (t) {
                t.state = TaskState.CONVERTING;
                t.attempts++;
                t.progress = 0;
                t.nextAttemptAt = 0;
                try {
                    spool.save(t);
                } catch (IOException e) {
                    t.attempts--;
                    t.state = TaskState.QUEUED;
                    throw e;
                }
            }
            reporter.event(t, "replay_convert_start", null, log);
            long started = System.nanoTime();
            ConversionProcess.Outcome o;
            try {
                o = runner.run(t, log, floor, p -> t.progress = p); // in memory only: status shows it, a restart redoes the run
            } catch (IOException e) { // preparing or starting the run failed: the worker's trouble, not the recording's
                t.attempts--;
                pause(t, log, spoolTrouble(e));
                return;
            }
            boolean finished;
            String error = o.error();
            synchronized (t) {
                if (o.diskFull()) { // not counted: the disk, not the recording, until it happens again and again
                    t.attempts--;
                    // Its own video filled the disk if, with it deleted, most of the room it started with is
                    // free again; if not, others took the space (another conversion growing) and only waiting helps.
                    long freeAfter = disk.free();
                    if (freeAfter - floor >= (freeBefore - floor) / 2) {
                        t.outOfRoomRuns++;
                        log.warn("its video alone filled the disk to the floor: " + t.outOfRoomRuns + " of "
                                + MAX_OUT_OF_ROOM_RUNS + " such runs before the original recording is published instead");
                    }
                    if (t.outOfRoomRuns < MAX_OUT_OF_ROOM_RUNS) {
                        pause(t, log, error);
                        return;
                    }
                    error = "the video does not fit on this disk: " + t.outOfRoomRuns
                            + " runs stopped at the free space the spool keeps (last: " + error + ")";
                }
                finished = o.ok() || o.badInput() || o.diskFull() || t.attempts >= CONVERT_ATTEMPTS;
                if (o.ok()) {
                    t.progress = 100;
                    t.state = TaskState.PUBLISHING;
                    log.info("converted in " + (System.nanoTime() - started) / 1_000_000 + " ms: " + o.result());
                    spool.save(t);
                } else if (!o.diskFull()) {
                    log.warn("conversion attempt " + t.attempts + " failed: " + error);
                }
                if (finished && !o.ok()) {
                    t.error = error;
                    t.errorReason = "replay_convert_failed";
                    t.state = TaskState.PUBLISHING;
                    log.error("conversion failed (" + error + "); the original recording will be published instead");
                    spool.save(t);
                }
            }
            if (finished) { // core may take up to its timeout: never while holding the task
                reporter.event(t, o.ok() ? "replay_convert_success" : "replay_convert_failure", o.ok() ? null : error, log);
                return;
            }
        }
    }

    /**
     * Not the recording's fault (a full disk, a failing spool): the task goes back to the queue
     * uncounted and tries again after a backoff, from retry base up to five minutes.
     */
    private void pause(Task t, TaskLog log, String why) {
        long delay;
        synchronized (t) {
            t.state = TaskState.QUEUED;
            t.progress = 0;
            t.lastConvertError = why;
            delay = nextDiskWait(t);
            try {
                spool.save(t);
            } catch (IOException e) { // likely the same full disk; the task.json on disk resumes the same way
                LOG.warn("task {}: cannot save the pause: {}", t.id, e.toString());
            }
        }
        log.warn("conversion paused: " + why + "; next try in " + Math.max(1, delay / 1000) + " s (not counted as a failed attempt)");
        schedule(t);
    }

    private long nextDiskWait(Task t) {
        t.diskWaits++;
        long delay = waits.pause(t.diskWaits);
        t.nextAttemptAt = clock.millis() + delay;
        return delay;
    }

    /** How long the task has waited for disk space in all: its pauses so far, added up. */
    private long diskWaited(Task t) {
        long sum = 0;
        for (int n = 1; n <= t.diskWaits && sum < MAX_DISK_WAIT_TOTAL_MS; n++) {
            sum += waits.pause(n);
        }
        return sum;
    }

    /**
     * Waiting for disk space has lasted too long: the task is treated like a failed conversion, so
     * the original recording is published (nothing is lost) and its spool space is freed.
     */
    private void giveUp(Task t, TaskLog log, String why) throws IOException {
        synchronized (t) {
            t.error = why;
            t.errorReason = "replay_convert_failed";
            t.state = TaskState.PUBLISHING;
            t.progress = 0;
            t.nextAttemptAt = 0;
            log.error("conversion given up (" + why + "); the original recording will be published instead");
            spool.save(t);
        }
        reporter.event(t, "replay_convert_failure", why, log);
    }

    private static String spoolTrouble(IOException e) {
        return (DiskSpace.isOutOfSpace(e) ? "not enough disk space: " : "spool error: ") + e.getMessage();
    }

    /** After an I/O failure of the spool itself: convert or publish again later; finished tasks stay as they are. */
    private void retryAfterSpoolError(Task t, IOException e) {
        TaskLog log = spool.log(t);
        String why = spoolTrouble(e);
        if (t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING) {
            pause(t, log, why);
        } else if (t.state == TaskState.PUBLISHING) {
            long delay;
            synchronized (t) {
                delay = nextDiskWait(t);
            }
            log.warn("publishing interrupted: " + why + "; next try in " + Math.max(1, delay / 1000) + " s");
            schedule(t);
        } else {
            log.warn(why + " while finishing; the restart sweep removes what is left");
        }
    }

    /**
     * Uploads the result (or the originals) and tells core; any failure is retried with
     * exponential backoff and jitter for the retry period, across restarts, before the task
     * fails with replay_upload_failed. Files stay in the spool until then.
     */
    private void publish(Task t, TaskLog log) throws IOException {
        String waiting = coreNotReady.get();
        if (waiting != null) { // not a failed attempt: nothing was tried
            synchronized (t) {
                if (!waiting.equals(t.lastPublishError)) {
                    log.warn("publishing waits: " + waiting);
                }
                t.lastPublishError = waiting;
                t.nextAttemptAt = clock.millis() + config.retryBaseDelay().toMillis();
            }
            schedule(t);
            return;
        }
        boolean original = "replay_convert_failed".equals(t.errorReason);
        try {
            if (!t.uploadDone) {
                StorageResolver.Resolution where = storages.resolve(t.storageConfigSealed, log);
                synchronized (t) {
                    t.storageConfigSealed = where.sealed(); // saved with the next state change, for a retry while core is down
                }
                ReplayStorage storage = where.storage();
                reporter.event(t, "replay_upload_start", null, log);
                Publisher.Published done;
                try {
                    done = original ? publisher.publishOriginals(t, storage, log) : publisher.publishConverted(t, storage, log);
                } finally {
                    if (storage instanceof AutoCloseable c) { // a client made for this publish only
                        try {
                            c.close();
                        } catch (Exception e) {
                            log.warn("closing " + storage.describe() + ": " + e.getMessage());
                        }
                    }
                }
                synchronized (t) {
                    List<String> keysBefore = t.published;
                    long bytesBefore = t.publishedBytes;
                    String errorBefore = t.error;
                    t.published = done.keys();
                    t.publishedBytes = done.bytes();
                    if (done.note() != null) {
                        t.error = t.error == null || t.error.isEmpty() ? done.note() : t.error + "; " + done.note();
                    }
                    t.uploadDone = true;
                    try {
                        spool.save(t);
                    } catch (IOException e) { // not on disk, so not done: the files must stay for another try
                        t.uploadDone = false;
                        t.published = keysBefore;
                        t.publishedBytes = bytesBefore;
                        t.error = errorBefore;
                        throw e;
                    }
                }
                reporter.event(t, "replay_upload_success", null, log);
            }
            reporter.published(t, log);
        } catch (IOException | RuntimeException e) {
            retryLater(t, log, e);
            return;
        }
        // the files go once the objects are in (uploadDone is on disk): a finished task holds nothing more
        Spool.deleteTree(spool.in(t.id));
        Spool.deleteTree(spool.out(t.id));
        synchronized (t) {
            t.state = original ? TaskState.FAILED : TaskState.DONE;
            t.finishedAt = clock.millis();
            t.nextAttemptAt = 0;
            spool.save(t);
            t.slim();
        }
    }

    private void retryLater(Task t, TaskLog log, Exception e) throws IOException {
        long now = clock.millis();
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        synchronized (t) {
            t.publishAttempts++;
            t.lastPublishError = why;
            if (t.firstPublishFailureAt == 0) {
                t.firstPublishFailureAt = now;
            }
            if (now - t.firstPublishFailureAt >= config.publishRetryPeriod().toMillis()) {
                t.state = TaskState.FAILED;
                t.errorReason = "replay_upload_failed";
                t.error = "publishing failed for " + config.publishRetryPeriod().toHours() + " h: " + why;
                t.finishedAt = now;
                spool.save(t);
                log.error("giving up publishing after " + t.publishAttempts + " attempts: " + why
                        + "; the files stay in the spool until the clean period");
            } else {
                long delay = publishRetries.jittered(t.publishAttempts);
                t.nextAttemptAt = now + delay;
                spool.save(t);
                log.warn("publish attempt " + t.publishAttempts + " failed: " + why + "; next attempt in " + delay / 1000 + " s");
            }
        }
        if (t.state == TaskState.FAILED) {
            t.slim();
            reporter.event(t, "replay_upload_failure", why, log);
            try {
                reporter.publishFailed(t, log);
            } catch (IOException ignored) {
                log.warn("could not tell core about the failure: " + ignored.getMessage());
            }
        } else {
            schedule(t);
        }
    }

    /** Queues a task now, or at its next publishing attempt. */
    private void schedule(Task t) {
        long wait = t.nextAttemptAt - clock.millis();
        if (wait <= 0) {
            queue.add(t);
        } else {
            housekeeping.schedule(() -> queue.add(t), wait, TimeUnit.MILLISECONDS);
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    /** A task that received nothing for the expiry time is dropped: the sender published its originals. */
    public void expire() throws IOException {
        expire(clock.millis());
    }

    /** As {@link #expire()}, as if it were {@code now} (tests). */
    public void expire(long now) throws IOException {
        for (Task t : tasks.values()) {
            synchronized (t) {
                long last = Math.max(t.createdAt, t.lastUploadAt);
                if (t.state == TaskState.RECEIVING && now - last > config.taskExpiry().toMillis()) {
                    expireTask(t, "no part arrived for " + config.taskExpiry().toMinutes() + " minutes");
                }
            }
        }
    }

    private void expireTask(Task t, String why) throws IOException {
        t.state = TaskState.EXPIRED;
        t.error = why;
        t.finishedAt = clock.millis();
        spool.save(t);
        t.slim();
        spool.log(t).warn("expired: " + why + "; its files are deleted and nothing is published");
        Spool.deleteTree(spool.in(t.id));
        Spool.deleteTree(spool.out(t.id));
    }

    /**
     * The newest task for a session wins over an older one still receiving (D-7). Only that
     * session's tasks are locked: a create must not wait for other tasks' fsyncs or calls to core.
     */
    private void supersedeOlder(Task newest) throws IOException {
        for (Task t : tasks.values()) {
            if (t.sessionId.equalsIgnoreCase(newest.sessionId)) { // set before the task is listed, never changed
                synchronized (t) {
                    if (t.state == TaskState.RECEIVING) {
                        expireTask(t, "superseded by task " + newest.id + " for the same session");
                    }
                }
            }
        }
    }

    /** Removes finished task folders older than the clean period (0 disables). */
    public void clean() throws IOException {
        clean(clock.millis());
    }

    /** As {@link #clean()}, as if it were {@code now} (tests). */
    public void clean(long now) throws IOException {
        if (config.cleanPeriodDays() <= 0) {
            return;
        }
        long cutoff = now - Duration.ofDays(config.cleanPeriodDays()).toMillis();
        boolean cleaned = false;
        try {
            for (Iterator<Task> it = tasks.values().iterator(); it.hasNext(); ) {
                Task t = it.next();
                if (t.state.finished() && Math.max(t.finishedAt, t.updatedAt) < cutoff) {
                    cleaned = true;
                    spool.delete(t.id);
                    it.remove();
                    LOG.info("cleaned task {} (session {}, {}), older than {} days", t.id, t.sessionId, t.state.json(),
                            config.cleanPeriodDays());
                }
            }
        } finally {
            if (cleaned) { // by-session links to the folders gone: removed, or back to an older task kept
                spool.relinkSessions(tasks.values());
            }
        }
    }

    private void expireQuietly() {
        try {
            expire();
        } catch (Exception e) {
            LOG.warn("expiry check failed: {}", e.toString());
        }
    }

    private void cleanQuietly() {
        try {
            clean();
        } catch (Exception e) {
            LOG.warn("cleanup failed: {}", e.toString());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private Task newTask(String sessionId, Task.Kind kind) {
        Task t = new Task();
        t.id = UUID.randomUUID().toString();
        t.sessionId = sessionId.toLowerCase(Locale.ROOT);
        t.kind = kind;
        t.state = TaskState.RECEIVING;
        t.createdAt = clock.millis();
        return t;
    }

    /** Lion's Go field names have no JSON tags: match keys ignoring case and underscores. */
    private static int configInt(ObjectNode config, String key) {
        if (config == null) {
            return 0;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().replace("_", "").equalsIgnoreCase(key)) {
                return e.getValue().asInt(0);
            }
        }
        return 0;
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The storage keys' {@code YYYY-MM-DD} from meta's session start; today when it is absent.
     * A value that is not a date is refused rather than replaced: caller text must never reach a
     * key, and a replay filed under the wrong day is hard to find.
     */
    private static String day(JsonNode meta, String field) throws TaskException {
        JsonNode v = meta.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return LocalDate.now(ZoneOffset.UTC).toString();
        }
        String day;
        try {
            day = v.isTextual() ? ReplayDates.day(ReplayDates.parse(v.asText())) : "";
        } catch (IllegalArgumentException e) {
            day = "";
        }
        if (!DAY.matcher(day).matches()) { // also: a year of five digits
            throw new TaskException(400, "meta." + field + " " + Untrusted.quote(v.isTextual() ? v.asText() : v.toString())
                    + " is not a date like 2025-11-18 02:00:00 +0000");
        }
        return day;
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
