package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.convert.ReplayDates;
import io.videoworker.worker.spool.DiskSpace;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.PartWriter;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.spool.Untrusted;
import io.videoworker.worker.task.StoreUnavailableException;
import io.videoworker.worker.task.TaskDraft;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What senders hand in: a G3 task and its parts one upload at a time, or a G2 recording in one
 * request. Checks every field (a clear 400 for what is wrong), refuses new work while core cannot
 * take part (503) or the disk keeps less than the reserve (507), and makes a part count only once
 * its bytes are verified, durable and recorded: an accepted part never changes.
 */
final class Admission {
    private static final Pattern UUID_RE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern INDEX = Pattern.compile("[0-9]{1,9}");
    private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

    private final TaskStore store;
    private final Spool spool;
    private final PartWriter writer;
    private final DiskSpace disk;
    private final Supplier<String> coreNotReady;
    private final Housekeeping housekeeping;
    /** Told of every task whose last part arrived (the scheduler). */
    private final Consumer<Task> queued;

    Admission(TaskStore store, Spool spool, long reserveBytes, Supplier<String> coreNotReady, Housekeeping housekeeping,
            Consumer<Task> queued) {
        this.store = store;
        this.spool = spool;
        this.writer = new PartWriter(reserveBytes);
        this.disk = new DiskSpace(spool.root(), reserveBytes);
        this.coreNotReady = coreNotReady;
        this.housekeeping = housekeeping;
        this.queued = queued;
    }

    // ---- G3: create, then one upload per part ------------------------------------------------

    Task createParts(String sessionId, JsonNode body) throws TaskException, IOException {
        if (sessionId == null || !UUID_RE.matcher(sessionId).matches()) {
            throw new TaskException(400, "session id " + Untrusted.quote(sessionId) + " is not a UUID");
        }
        PartsRequest request = PartsRequest.parse(sessionId, body);
        ObjectNode meta = request.meta();
        String date = day(meta, meta.has("date_start") ? "date_start" : "data_start");
        TaskDraft draft = store.draft(sessionId, Task.Kind.PARTS);
        ObjectNode config = request.config();
        int bitrate = configInt(config, "bitrate");
        draft.describeParts(meta, config, request.files(), date, configInt(config, "width"), configInt(config, "height"),
                bitrate, configInt(config, "maxframe"));
        admissible();
        Task t = inSpool(() -> store.add(draft));
        spool.linkSession(t);
        spool.log(t).info("created for session " + t.sessionId + " with " + t.files.size() + " part(s); config "
                + Untrusted.quote(String.valueOf(config))
                + (bitrate > 0 ? " (Bitrate is only logged: quality is the worker's own setting)" : ""));
        for (Task older : store.ofSession(t.sessionId)) { // only this session's tasks are touched: a create never waits on others
            if (older.sessionId.equals(t.sessionId) && older.state == TaskState.RECEIVING && !older.id.equals(t.id)) {
                housekeeping.supersede(older, t);
            }
        }
        return t;
    }

    /** What accepting an upload did: the reply, and whether it was the last part (the task is queued now). */
    private record Accepted(UploadResult reply, boolean received, boolean queued) {
    }

    UploadResult uploadPart(String taskId, String indexText, String filename, InputStream body, long length) throws IOException {
        if (!Spool.validId(taskId)) {
            return refused("task id " + Untrusted.quote(taskId) + " is not a task id (a lower-case UUID)");
        }
        Task t = store.get(taskId);
        if (t == null || t.kind != Task.Kind.PARTS) {
            return refused("unknown task " + Untrusted.quote(taskId));
        }
        if (indexText == null || !INDEX.matcher(indexText).matches()) {
            return refused("part index " + Untrusted.quote(indexText) + " is not a number");
        }
        int index = Integer.parseInt(indexText);
        if (filename != null && !Untrusted.isBaseName(filename)) {
            // Lion sends the base name; a path here is hostile or broken, never a harmless mismatch
            return refused("part " + index + ": file name " + Untrusted.quote(filename) + " is not a plain file name");
        }
        if (index >= t.files.size()) {
            return refused("part index " + index + " is out of range: the task has " + t.files.size() + " part(s)");
        }
        TaskLog log = spool.log(t);
        PartFile part = t.files.get(index);
        if (filename != null && !filename.equals(part.name)) {
            log.warn("part " + index + " arrived named " + Untrusted.quote(filename) + ", expected " + part.name + "; kept as " + part.name);
        }
        if (part.received) { // an accepted part never changes: the same bytes again are fine, others are refused
            return repeatedUpload(index, part, body, log);
        }
        if (t.state != TaskState.RECEIVING) {
            return refused("task " + t.id + " no longer accepts parts (" + t.state.json() + ")");
        }
        // Uploads of one part may overlap (a sender's retry, or a hostile second connection): each
        // streams into a temporary file of its own, and only the first complete, verified one takes
        // the part's name, under the task's lock; a later one is then a repeat of an accepted part
        try (PartWriter.Pending pending = writer.receive(body, spool.inFile(t.id, part.name), length, part.checksum)) {
            PartWriter.Received r = pending.received();
            Accepted accepted;
            try {
                accepted = store.update(t.id, d -> accept(d, index, pending, r, log));
            } catch (PartWriter.AlreadyThereException e) {
                throw e;
            } catch (IOException e) { // not durable, so not ok: the sender keeps its copy
                if (pending.committed()) {
                    Files.deleteIfExists(r.file()); // never acknowledged: the next upload of the part takes its place
                }
                if (e instanceof StoreUnavailableException) {
                    throw e; // 503, as for every request while the task database is down
                }
                String why = DiskSpace.trouble(e);
                log.warn("part " + index + " (" + part.name + ") refused: its arrival could not be recorded: " + why);
                return refused(why);
            }
            if (accepted.received()) {
                log.info("part " + index + " (" + part.name + ") received: " + r.bytes() + " bytes, SHA-256 verified");
            }
            if (accepted.queued()) {
                log.info("all parts received; queued for conversion");
                queued.accept(store.get(t.id));
            }
            return accepted.reply();
        } catch (PartWriter.ChecksumException | PartWriter.DiskFullException | PartWriter.AlreadyThereException e) {
            log.warn("part " + index + " (" + part.name + ") refused: " + e.getMessage());
            return refused(e.getMessage());
        }
    }

    /** Under the task's lock: the first verified upload of a part takes its name and is recorded. */
    private static Accepted accept(TaskDraft d, int index, PartWriter.Pending pending, PartWriter.Received r, TaskLog log)
            throws IOException {
        PartFile part = d.task().files.get(index);
        if (part.received) { // another upload of the same bytes (the checksum says so) was accepted meanwhile
            log.info("part " + index + " (" + part.name + ") arrived again while it was being accepted; the copy is discarded");
            return new Accepted(new UploadResult(true, ""), false, false);
        }
        if (d.state() != TaskState.RECEIVING) {
            return new Accepted(refused("task " + d.task().id + " no longer accepts parts"), false, false);
        }
        pending.commit();
        boolean last = d.partReceived(index, r.bytes(), r.sha256());
        return new Accepted(new UploadResult(true, ""), true, last);
    }

    /** A part accepted before: read the body only to compare it; nothing on disk changes either way. */
    private static UploadResult repeatedUpload(int index, PartFile part, InputStream body, TaskLog log) throws IOException {
        try {
            PartWriter.verify(body, part.checksum);
        } catch (PartWriter.ChecksumException e) {
            String why = "part " + index + " was accepted already and is never replaced: " + e.getMessage();
            log.warn("part " + index + " (" + part.name + ") refused: " + why);
            return refused(why);
        }
        log.info("part " + index + " (" + part.name + ") arrived again with the same bytes; the accepted file is kept as it is");
        return new UploadResult(true, "");
    }

    private static UploadResult refused(String why) {
        return new UploadResult(false, why);
    }

    // ---- G2: one multipart request -------------------------------------------------------------

    /**
     * Fields as Lion sends them (values of "" or "0" are simply absent).
     *
     * @param pathSessionId the session id in the request path, which must be the field's
     * @param filename      the file's name in the multipart body, or null
     */
    Task createSingle(String pathSessionId, Map<String, String> fields, String filename, InputStream file, long length)
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
        TaskDraft draft = store.draft(sid, Task.Kind.SINGLE);
        draft.describeSingle(fields.getOrDefault("component_type", ""), fields.getOrDefault("file_type", ".gz"),
                date, parseInt(fields.get("width")), parseInt(fields.get("height")),
                parseInt(fields.get("bitrate")));
        admissible();
        inSpool(() -> {
            store.persist(draft);
            return null;
        });
        Task t = draft.task();
        TaskLog log = spool.log(t);
        log.info("created for session " + t.sessionId + " (single recording from " + Untrusted.quote(t.componentType) + ")");
        PartWriter.Received r;
        try {
            r = writer.write(file, spool.inFile(t.id, t.files.get(0).name), length, null);
        } catch (IOException e) {
            log.warn("upload failed, task dropped (the sender keeps its copy): " + e.getMessage());
            spool.delete(t.id);
            throw new TaskException(e instanceof PartWriter.DiskFullException ? 507 : 400, e.getMessage());
        }
        log.info("recording received: " + r.bytes() + " bytes, SHA-256 " + r.sha256());
        draft.partReceived(0, r.bytes(), r.sha256());
        Task listed;
        try {
            listed = store.add(draft);
        } catch (IOException e) {
            spool.delete(t.id);
            throw new TaskException(DiskSpace.isOutOfSpace(e) ? 507 : 500, "the recording arrived but could not be recorded: "
                    + e.getMessage());
        }
        log.info("all parts received; queued for conversion");
        spool.linkSession(listed); // only now: a task dropped above leaves no link behind
        queued.accept(listed);
        return listed;
    }

    // ---- both --------------------------------------------------------------------------------

    /** New work is refused while core cannot take part (the sender then keeps and uploads its own recording) or the disk is short. */
    private void admissible() throws TaskException, IOException {
        String waiting = coreNotReady.get();
        if (waiting != null) {
            throw new TaskException(503, waiting);
        }
        String shortage = disk.shortage(0);
        if (shortage != null) {
            throw new TaskException(507, shortage);
        }
    }

    private interface SpoolWork<T> {
        T run() throws IOException;
    }

    /** A full disk while making the task's folder is the sender's 507, not a failure of the worker. */
    private static <T> T inSpool(SpoolWork<T> work) throws TaskException, IOException {
        try {
            return work.run();
        } catch (IOException e) {
            if (DiskSpace.isOutOfSpace(e)) {
                throw new TaskException(507, "not enough disk space: " + e.getMessage());
            }
            throw e;
        }
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
     * The storage keys' {@code YYYY-MM-DD} from meta's session start; null when it is absent (core
     * is asked before publishing).
     * A value that is not a date is refused rather than replaced: caller text must never reach a
     * key, and a replay filed under the wrong day is hard to find.
     */
    private static String day(JsonNode meta, String field) throws TaskException {
        JsonNode v = meta.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null; // asked of core before publishing (stand-alone: today)
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
}
