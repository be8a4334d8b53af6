package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.convert.ReplayDates;
import io.videoworker.worker.publish.Publisher;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.PartWriter;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int CONVERT_ATTEMPTS = 2;

    private final WorkerConfig config;
    private final Spool spool;
    private final StorageResolver storages;
    private final SessionReporter reporter;
    private final Publisher publisher;
    private final PartWriter writer;
    private final ConversionProcess converter = new ConversionProcess("512m");
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final PriorityBlockingQueue<Task> queue =
            new PriorityBlockingQueue<>(64, java.util.Comparator.comparingLong((Task t) -> t.queuedAt).thenComparing(t -> t.id));
    private ExecutorService workers;
    private ScheduledExecutorService housekeeping;

    public TaskService(WorkerConfig config, Spool spool, StorageResolver storages, SessionReporter reporter) {
        this.config = config;
        this.spool = spool;
        this.storages = storages;
        this.reporter = reporter;
        this.publisher = new Publisher(spool);
        this.writer = new PartWriter(config.spoolReserveBytes());
    }

    /** Loads the spool, resumes every unfinished task at its stage and starts the pool. */
    public void start() throws IOException {
        List<Task> resumeQueue = new ArrayList<>();
        for (Task t : spool.all()) {
            tasks.put(t.id, t);
            switch (t.state) {
                case QUEUED, CONVERTING, PUBLISHING -> {
                    spool.log(t.id).info("resuming at stage " + t.state.json() + " after a restart");
                    resumeQueue.add(t);
                }
                default -> { }
            }
        }
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

    /** Tasks queued or converting (what the heartbeat reports as online sessions). */
    public int busy() {
        return (int) tasks.values().stream().filter(t -> t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING).count();
    }

    // ---- G3: create, then one upload per part ------------------------------------------------

    public Task createParts(String sessionId, JsonNode body) throws TaskException, IOException {
        if (sessionId == null || !UUID_RE.matcher(sessionId).matches()) {
            throw new TaskException(400, "session id '" + sessionId + "' is not a UUID");
        }
        if (body == null || !body.isObject()) {
            throw new TaskException(400, "body must be a JSON object with config and meta");
        }
        JsonNode meta = body.path("meta");
        if (!meta.isObject()) {
            throw new TaskException(400, "meta is missing or not an object");
        }
        String metaId = meta.path("id").asText("");
        if (!metaId.isEmpty() && !metaId.equalsIgnoreCase(sessionId)) {
            throw new TaskException(400, "meta.id " + metaId + " differs from the session id in the path " + sessionId);
        }
        JsonNode files = meta.path("files");
        if (!files.isArray() || files.isEmpty()) {
            throw new TaskException(400, "meta.files must list at least one part");
        }
        Pattern partName = Pattern.compile(Pattern.quote(sessionId) + "\\.\\d{1,9}\\.part\\.gz", Pattern.CASE_INSENSITIVE);
        Task t = newTask(sessionId, Task.Kind.PARTS);
        t.meta = (ObjectNode) meta.deepCopy();
        t.meta.remove("files");
        t.config = body.path("config").isObject() ? (ObjectNode) body.path("config").deepCopy() : null;
        t.maxFrame = configInt(t.config, "maxframe");
        t.width = configInt(t.config, "width");
        t.height = configInt(t.config, "height");
        t.bitrate = configInt(t.config, "bitrate");
        int i = 0;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonNode f : files) {
            PartFile p = new PartFile();
            p.name = f.path("name").asText("");
            if (!partName.matcher(p.name).matches()) {
                throw new TaskException(400, "files[" + i + "].name '" + p.name + "' is not " + sessionId + ".<n>.part.gz");
            }
            if (!names.add(p.name)) {
                throw new TaskException(400, "files[" + i + "].name '" + p.name + "' is listed twice");
            }
            p.checksum = f.path("checksum").asText("").toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(p.checksum).matches()) {
                throw new TaskException(400, "files[" + i + "].checksum must be 64 hex characters (SHA-256)");
            }
            p.start = f.path("start").asLong();
            p.end = f.path("end").asLong();
            p.duration = f.path("duration").asLong();
            p.size = f.path("size").asLong();
            t.files.add(p);
            i++;
        }
        String start = meta.has("date_start") ? meta.path("date_start").asText("") : meta.path("data_start").asText("");
        t.sessionDate = day(start, t);
        spool.create(t);
        TaskLog log = spool.log(t.id);
        log.info("created for session " + sessionId + " with " + t.files.size() + " part(s); config " + t.config
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
        Task t = get(taskId);
        if (t == null || t.kind != Task.Kind.PARTS) {
            return new UploadResult(false, "unknown task '" + taskId + "'");
        }
        int index;
        try {
            index = Integer.parseInt(indexText);
        } catch (NumberFormatException e) {
            return new UploadResult(false, "part index '" + indexText + "' is not a number");
        }
        TaskLog log = spool.log(t.id);
        if (index < 0 || index >= t.files.size()) {
            return new UploadResult(false, "part index " + index + " is out of range: the task has " + t.files.size() + " part(s)");
        }
        PartFile part = t.files.get(index);
        if (filename != null && !filename.equals(part.name)) {
            log.warn("part " + index + " arrived named '" + filename + "', expected " + part.name + "; kept as " + part.name);
        }
        synchronized (t) {
            if (t.state != TaskState.RECEIVING) {
                if (part.received) {
                    return new UploadResult(true, ""); // a repeated upload of what we hold
                }
                return new UploadResult(false, "task " + t.id + " no longer accepts parts (" + t.state.json() + ")");
            }
        }
        PartWriter.Received r;
        try {
            r = writer.write(body, spool.in(t.id).resolve(part.name), length, part.checksum);
        } catch (PartWriter.ChecksumException | PartWriter.DiskFullException e) {
            log.warn("part " + index + " (" + part.name + ") refused: " + e.getMessage());
            return new UploadResult(false, e.getMessage());
        }
        synchronized (t) {
            if (t.state != TaskState.RECEIVING) {
                return new UploadResult(part.received, part.received ? "" : "task " + t.id + " no longer accepts parts");
            }
            part.received = true;
            t.lastUploadAt = System.currentTimeMillis();
            log.info("part " + index + " (" + part.name + ") received: " + r.bytes() + " bytes, SHA-256 verified");
            if (t.allReceived()) {
                enqueue(t, log);
            } else {
                spool.save(t);
            }
        }
        return new UploadResult(true, "");
    }

    // ---- G2: one multipart request -------------------------------------------------------------

    /** Fields as Lion sends them (values of "" or "0" are simply absent). */
    public Task createSingle(Map<String, String> fields, InputStream file, long length) throws TaskException, IOException {
        String sid = fields.get("session_id");
        if (sid == null || !UUID_RE.matcher(sid).matches()) {
            throw new TaskException(400, "field session_id '" + sid + "' is not a UUID");
        }
        Task t = newTask(sid, Task.Kind.SINGLE);
        t.componentType = fields.getOrDefault("component_type", "");
        t.fileType = fields.getOrDefault("file_type", ".gz");
        t.width = parseInt(fields.get("width"));
        t.height = parseInt(fields.get("height"));
        t.bitrate = parseInt(fields.get("bitrate"));
        String date = fields.get("session_date");
        if (date != null && date.matches("\\d{4}-\\d{2}-\\d{2}")) {
            t.sessionDate = date;
        } else {
            t.sessionDate = LocalDate.now(ZoneOffset.UTC).toString();
        }
        PartFile f = new PartFile();
        f.name = sid + ".replay.gz";
        t.files.add(f);
        spool.create(t);
        TaskLog log = spool.log(t.id);
        log.info("created for session " + sid + " (single recording from " + t.componentType + ")");
        try {
            PartWriter.Received r = writer.write(file, spool.in(t.id).resolve(f.name), length, null);
            f.size = r.bytes();
            f.checksum = r.sha256();
            f.received = true;
            t.lastUploadAt = System.currentTimeMillis();
            log.info("recording received: " + r.bytes() + " bytes, SHA-256 " + r.sha256());
        } catch (IOException e) {
            log.warn("upload failed, task dropped (the sender keeps its copy): " + e.getMessage());
            spool.delete(t.id);
            throw new TaskException(e instanceof PartWriter.DiskFullException ? 507 : 400, e.getMessage());
        }
        synchronized (t) {
            tasks.put(t.id, t);
            enqueue(t, log);
        }
        return t;
    }

    // ---- the pool ------------------------------------------------------------------------------

    private void enqueue(Task t, TaskLog log) throws IOException {
        t.state = TaskState.QUEUED;
        t.queuedAt = System.currentTimeMillis();
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
            try {
                process(t);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                spool.log(t.id).error("internal error: " + e);
                LOG.error("task {} failed internally", t.id, e);
            }
        }
    }

    private void process(Task t) throws IOException, InterruptedException {
        TaskLog log = spool.log(t.id);
        if (t.state == TaskState.QUEUED || t.state == TaskState.CONVERTING) {
            convert(t, log);
        }
        if (t.state == TaskState.PUBLISHING) {
            publish(t, log);
        }
    }

    private void convert(Task t, TaskLog log) throws IOException, InterruptedException {
        while (true) {
            synchronized (t) {
                t.state = TaskState.CONVERTING;
                t.attempts++;
                t.progress = 0;
                spool.save(t);
            }
            reporter.event(t, "replay_convert_start", null, log);
            Path out = spool.out(t.id);
            Spool.deleteTree(out); // a conversion interrupted by a crash is redone from its inputs
            Files.createDirectories(out);
            List<String> args = convertArgs(t);
            long started = System.currentTimeMillis();
            ConversionProcess.Outcome o = converter.run(args, timeout(t), log, p -> {
                if (p != t.progress) {
                    t.progress = p;
                    if (p % 10 == 0) {
                        log.info("conversion " + p + "%");
                    }
                }
            });
            boolean finished;
            synchronized (t) {
                finished = o.ok() || o.badInput() || t.attempts >= CONVERT_ATTEMPTS;
                if (o.ok()) {
                    t.progress = 100;
                    t.state = TaskState.PUBLISHING;
                    log.info("converted in " + (System.currentTimeMillis() - started) + " ms: " + o.result());
                    spool.save(t);
                } else {
                    log.warn("conversion attempt " + t.attempts + " failed: " + o.error());
                    if (finished) {
                        t.error = o.error();
                        t.errorReason = "replay_convert_failed";
                        t.state = TaskState.PUBLISHING;
                        log.error("conversion failed (" + o.error() + "); the original recording will be published instead");
                        spool.save(t);
                    }
                }
            }
            if (finished) { // core may take up to its timeout: never while holding the task
                reporter.event(t, o.ok() ? "replay_convert_success" : "replay_convert_failure", o.ok() ? null : o.error(), log);
                return;
            }
        }
    }

    private List<String> convertArgs(Task t) throws IOException {
        List<String> args = new ArrayList<>();
        Path in = spool.in(t.id);
        Path out = spool.out(t.id);
        if (t.kind == Task.Kind.PARTS) {
            Path json = in.resolve(t.sessionId + ".replay.json");
            Spool.JSON.writeValue(json.toFile(), Publisher.originalReplayJson(t));
            args.add(in.toString());
            args.add("--per-part");
            args.add("-o");
            args.add(out.toString());
        } else {
            args.add(in.resolve(t.files.get(0).name).toString());
            args.add("-o");
            args.add(out.resolve(t.sessionId + ".replay.mp4").toString());
        }
        if (t.maxFrame > 0 && t.maxFrame < 30) {
            args.add("--max-fps");
            args.add(Integer.toString(t.maxFrame)); // Lion's MaxFrame only ever lowers the cap
        }
        return args;
    }

    /** Ten minutes plus twice the recording's length: even huge recordings convert faster than real time. */
    private static Duration timeout(Task t) {
        long ms = t.files.stream().mapToLong(f -> Math.max(0, f.duration)).sum();
        return Duration.ofMinutes(10).plusMillis(2 * ms);
    }

    /**
     * Uploads the result (or the originals) and tells core; any failure is retried with
     * exponential backoff and jitter for the retry period, across restarts, before the task
     * fails with replay_upload_failed. Files stay in the spool until then.
     */
    private void publish(Task t, TaskLog log) throws IOException {
        boolean original = "replay_convert_failed".equals(t.errorReason);
        try {
            if (!t.uploadDone) {
                ReplayStorage storage = storages.resolve(t, log);
                reporter.event(t, "replay_upload_start", null, log);
                List<String> keys;
                try {
                    keys = original ? publisher.publishOriginals(t, storage, log) : publisher.publishConverted(t, storage, log);
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
                    t.published = keys;
                    t.uploadDone = true;
                    spool.save(t);
                }
                reporter.event(t, "replay_upload_success", null, log);
            }
            reporter.published(t, log);
        } catch (IOException | RuntimeException e) {
            retryLater(t, log, e);
            return;
        }
        synchronized (t) {
            t.state = original ? TaskState.FAILED : TaskState.DONE;
            t.finishedAt = System.currentTimeMillis();
            t.nextAttemptAt = 0;
            spool.save(t);
        }
        Spool.deleteTree(spool.in(t.id)); // inputs go once the result is published
        Spool.deleteTree(spool.out(t.id));
    }

    private void retryLater(Task t, TaskLog log, Exception e) throws IOException {
        long now = System.currentTimeMillis();
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
                long base = config.retryBaseDelay().toMillis() << Math.min(20, t.publishAttempts - 1);
                long delay = Math.min(base, Duration.ofMinutes(30).toMillis());
                delay = delay / 2 + (long) (Math.random() * (delay / 2 + 1)); // jitter: many tasks must not retry in step
                t.nextAttemptAt = now + delay;
                spool.save(t);
                log.warn("publish attempt " + t.publishAttempts + " failed: " + why + "; next attempt in " + delay / 1000 + " s");
            }
        }
        if (t.state == TaskState.FAILED) {
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
        long wait = t.nextAttemptAt - System.currentTimeMillis();
        if (wait <= 0) {
            queue.add(t);
        } else {
            housekeeping.schedule(() -> queue.add(t), wait, TimeUnit.MILLISECONDS);
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    /** A task that received nothing for the expiry time is dropped: the sender published its originals. */
    public void expire() throws IOException {
        expire(System.currentTimeMillis());
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
        t.finishedAt = System.currentTimeMillis();
        spool.save(t);
        spool.log(t.id).warn("expired: " + why + "; its files are deleted and nothing is published");
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
        clean(System.currentTimeMillis());
    }

    /** As {@link #clean()}, as if it were {@code now} (tests). */
    public void clean(long now) throws IOException {
        if (config.cleanPeriodDays() <= 0) {
            return;
        }
        long cutoff = now - Duration.ofDays(config.cleanPeriodDays()).toMillis();
        for (Iterator<Task> it = tasks.values().iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (t.state.finished() && Math.max(t.finishedAt, t.updatedAt) < cutoff) {
                spool.delete(t.id);
                it.remove();
                LOG.info("cleaned task {} (session {}, {}), older than {} days", t.id, t.sessionId, t.state.json(),
                        config.cleanPeriodDays());
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

    private static Task newTask(String sessionId, Task.Kind kind) {
        Task t = new Task();
        t.id = UUID.randomUUID().toString();
        t.sessionId = sessionId.toLowerCase(Locale.ROOT);
        t.kind = kind;
        t.state = TaskState.RECEIVING;
        t.createdAt = System.currentTimeMillis();
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

    private String day(String dateStart, Task t) {
        if (!dateStart.isEmpty()) {
            try {
                return ReplayDates.day(ReplayDates.parse(dateStart));
            } catch (IllegalArgumentException e) {
                LOG.warn("task {}: meta.date_start {}; using today's date for the storage keys", t.id, e.getMessage());
            }
        }
        return LocalDate.now(ZoneOffset.UTC).toString();
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
