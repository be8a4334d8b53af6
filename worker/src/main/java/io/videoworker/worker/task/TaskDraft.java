package io.videoworker.worker.task;

import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A task being changed: a private copy of its snapshot, handed to one {@link TaskStore#update}
 * change, saved and swapped in by the store when the change returns. Its methods are the task's
 * lifecycle: each is one transition, refuses to leave a state it cannot leave (an
 * {@link IllegalStateException}: a bug, never the caller's input), and stamps the time the store
 * read from its clock. Nothing else writes a task's fields (ArchUnit checks it).
 *
 * <pre>
 * receiving ─ all parts ─▶ queued ─▶ converting ─ converted or given up ─▶ publishing ─▶ done | failed
 *     └─ expired            ▲  waits for space ◀┘   (failed attempt: again)      └─ retried, then failed
 * </pre>
 */
public final class TaskDraft {
    private static final Set<TaskState> TO_CONVERT = EnumSet.of(TaskState.QUEUED, TaskState.CONVERTING);
    private static final Set<TaskState> WORKING = EnumSet.of(TaskState.QUEUED, TaskState.CONVERTING, TaskState.PUBLISHING);

    /** What a change did: nothing, something only the status shows, or something task.json must keep. */
    enum Weight { NONE, MEMORY, DURABLE }

    private final Task task;
    private final long now;
    private Weight weight = Weight.NONE;
    private boolean sealed;

    TaskDraft(Task copy, long now) {
        this.task = copy;
        this.now = now;
    }

    /** A new task: receiving, nothing received, created now. Belongs to its maker until the store lists it. */
    static TaskDraft create(String id, String sessionId, Task.Kind kind, long now) {
        Task t = new Task();
        t.id = id;
        t.sessionId = sessionId;
        t.kind = kind;
        t.state = TaskState.RECEIVING;
        t.createdAt = now;
        TaskDraft d = new TaskDraft(t, now);
        d.weight = Weight.DURABLE;
        return d;
    }

    /** The task as this change leaves it so far (read it; change it only through the transitions). */
    public Task task() {
        return task;
    }

    public TaskState state() {
        return task.state;
    }

    /** The store's "now" for this change. */
    public long now() {
        return now;
    }

    Weight weight() {
        return weight;
    }

    Task seal() {
        sealed = true;
        return task;
    }

    // ---- a new task's fields (before it is listed) ----------------------------------------------

    /** G3: what Lion's create request said (checked and bounded by the caller). */
    public void describeParts(com.fasterxml.jackson.databind.node.ObjectNode meta,
            com.fasterxml.jackson.databind.node.ObjectNode config, List<PartFile> files, String sessionDate,
            int width, int height, int bitrate, int maxFrame) {
        require("describe", TaskState.RECEIVING);
        task.meta = meta;
        task.config = config;
        task.files.addAll(files);
        task.sessionDate = sessionDate;
        video(width, height, bitrate);
        task.maxFrame = maxFrame;
        durable();
    }

    /** G2: one recording named {@code <sid>.replay.gz}, with the form's fields. */
    public void describeSingle(String componentType, String fileType, String sessionDate, int width, int height, int bitrate) {
        require("describe", TaskState.RECEIVING);
        task.componentType = componentType;
        task.fileType = fileType;
        task.sessionDate = sessionDate;
        video(width, height, bitrate);
        PartFile f = new PartFile();
        f.name = task.sessionId + ".replay.gz";
        task.files.add(f);
        durable();
    }

    private void video(int width, int height, int bitrate) {
        task.width = width;
        task.height = height;
        task.bitrate = bitrate;
    }

    // ---- receiving --------------------------------------------------------------------------------

    /** Part {@code index} is in the spool, verified; the last one queues the task. Returns whether it did. */
    public boolean partReceived(int index, long bytes, String sha256) {
        require("receive a part", TaskState.RECEIVING);
        PartFile f = task.files.get(index);
        if (f.received) {
            throw new IllegalStateException("task " + task.id + ": part " + index + " was received already");
        }
        f.received = true;
        if (f.checksum == null) { // G2: nothing was announced; G3 announced both, and the checksum was verified
            f.size = bytes;
            f.checksum = sha256;
        }
        task.lastUploadAt = now;
        durable();
        if (task.allReceived()) {
            task.state = TaskState.QUEUED;
            task.queuedAt = now;
            return true;
        }
        return false;
    }

    /** Nothing more will come (too long without a part, or a newer task for the session): nothing is published. */
    public void expire(String why) {
        require("expire", TaskState.RECEIVING);
        task.state = TaskState.EXPIRED;
        task.error = why;
        finish();
    }

    // ---- converting -------------------------------------------------------------------------------

    /** A conversion run starts, and counts unless the spool's trouble stops it ({@link #waitForSpool}). */
    public void startConversion() {
        require("start converting", TO_CONVERT);
        task.attempts++;
        task.state = TaskState.CONVERTING;
        task.progress = 0;
        task.nextAttemptAt = 0;
        durable();
    }

    /** The running conversion's percentage: shown by the status, never saved (a restart redoes the run). */
    public void progress(int percent) {
        require("show progress", TaskState.CONVERTING);
        task.progress = percent;
        memory();
    }

    /** The run succeeded: {@code out/} holds the result. */
    public void converted() {
        require("finish converting", TaskState.CONVERTING);
        task.progress = 100;
        task.state = TaskState.PUBLISHING;
        durable();
    }

    /**
     * The run failed. After {@code maxAttempts} counted runs, or at once when
     * {@code runAgain} is false (bad input, or a video that cannot fit: no run will do better),
     * the originals are to be published instead. Returns whether it came to that.
     */
    public boolean conversionFailed(String why, boolean runAgain, int maxAttempts) {
        require("fail converting", TaskState.CONVERTING);
        task.progress = 0;
        if (runAgain && task.attempts < maxAttempts) {
            durable();
            return false;
        }
        publishOriginals(why);
        return true;
    }

    /** The run's own video reached the free space the spool keeps. */
    public void ranOutOfRoom() {
        require("count a run out of room", TaskState.CONVERTING);
        task.outOfRoomRuns++;
        durable();
    }

    /**
     * The spool cannot take the work now (a full disk, an I/O error): not the recording's fault,
     * so a run it stopped does not count. Converting goes back to the queue; publishing stays;
     * both try again after the n-th pause of {@code waits}. Returns the pause in ms.
     */
    public long waitForSpool(String why, Backoff waits) {
        require("wait for the spool", WORKING);
        task.diskWaits++;
        long pause = waits.pause(task.diskWaits);
        task.nextAttemptAt = now + pause;
        if (task.state == TaskState.PUBLISHING) {
            task.lastPublishError = why;
        } else {
            if (task.state == TaskState.CONVERTING) {
                task.attempts--;
            }
            task.state = TaskState.QUEUED;
            task.progress = 0;
            task.lastConvertError = why;
        }
        durable();
        return pause;
    }

    /**
     * Waiting for space has lasted too long, or the video cannot fit on this disk: the originals
     * are published instead. The disk's fault, not the recording's: a run it stopped does not count.
     */
    public void giveUpConverting(String why) {
        require("give up converting", TO_CONVERT);
        if (task.state == TaskState.CONVERTING) {
            task.attempts--;
        }
        publishOriginals(why);
    }

    private void publishOriginals(String why) {
        task.error = why;
        task.errorReason = "replay_convert_failed";
        task.state = TaskState.PUBLISHING;
        task.progress = 0;
        task.nextAttemptAt = 0;
        durable();
    }

    // ---- publishing -------------------------------------------------------------------------------

    /** Core cannot take part yet: nothing was tried, nothing counts; look again at {@code at}. */
    public void publishWaits(String why, long at) {
        require("wait to publish", TaskState.PUBLISHING);
        task.lastPublishError = why;
        task.nextAttemptAt = at;
        memory();
    }

    /** The storage config this publish uses, sealed: saved with the next durable change, for a retry while core is down. */
    public void storageResolved(String sealed) {
        require("resolve storage", TaskState.PUBLISHING);
        if (sealed != null && !sealed.equals(task.storageConfigSealed)) {
            task.storageConfigSealed = sealed;
            memory();
        }
    }

    /** The objects are in storage; only telling core may remain. */
    public void uploaded(List<String> keys, long bytes, String note) {
        require("record the upload", TaskState.PUBLISHING);
        if (task.uploadDone) {
            throw new IllegalStateException("task " + task.id + ": uploaded twice");
        }
        task.published = List.copyOf(keys);
        task.publishedBytes = bytes;
        if (note != null) {
            task.error = task.error == null || task.error.isEmpty() ? note : task.error + "; " + note;
        }
        task.uploadDone = true;
        durable();
    }

    /** Core knows: done, or failed when the originals were what got published. */
    public void published() {
        require("finish publishing", TaskState.PUBLISHING);
        if (!task.uploadDone) {
            throw new IllegalStateException("task " + task.id + ": finished publishing before its upload");
        }
        task.state = "replay_convert_failed".equals(task.errorReason) ? TaskState.FAILED : TaskState.DONE;
        finish();
    }

    /**
     * A publish attempt failed: tried again after the n-th jittered pause of {@code retries},
     * until {@code period} has passed since the first failure; then the task fails with
     * replay_upload_failed. Returns whether it failed.
     */
    public boolean publishFailed(String why, Duration period, Backoff retries) {
        require("fail publishing", TaskState.PUBLISHING);
        task.publishAttempts++;
        task.lastPublishError = why;
        if (task.firstPublishFailureAt == 0) {
            task.firstPublishFailureAt = now;
        }
        if (now - task.firstPublishFailureAt >= period.toMillis()) {
            task.state = TaskState.FAILED;
            task.errorReason = "replay_upload_failed";
            task.error = "publishing failed for " + period.toHours() + " h: " + why;
            finish();
            return true;
        }
        task.nextAttemptAt = now + retries.jittered(task.publishAttempts);
        durable();
        return false;
    }

    // ---- anywhere at work -------------------------------------------------------------------------

    /**
     * A bug met while working on the task: tried again after the n-th pause of {@code waits}
     * (converting starts over from the queue), and at the {@code tries}-th the task fails
     * visibly, its files kept. Returns whether it failed.
     */
    public boolean internalError(String what, int tries, Backoff waits) {
        require("record an internal error", WORKING);
        task.internalErrors++;
        if (task.internalErrors >= tries) {
            task.state = TaskState.FAILED;
            task.error = "internal error, given up after " + task.internalErrors + " tries: " + what;
            if (task.errorReason == null) {
                task.errorReason = task.uploadDone ? "replay_upload_failed" : "replay_convert_failed";
            }
            finish();
            return true;
        }
        if (task.state == TaskState.CONVERTING) {
            task.state = TaskState.QUEUED;
            task.progress = 0;
        }
        task.nextAttemptAt = now + waits.pause(task.internalErrors);
        durable();
        return false;
    }

    private void finish() {
        task.finishedAt = now;
        task.nextAttemptAt = 0;
        durable();
    }

    private void durable() {
        weight = Weight.DURABLE;
    }

    private void memory() {
        if (weight == Weight.NONE) {
            weight = Weight.MEMORY;
        }
    }

    private void require(String what, TaskState allowed) {
        require(what, EnumSet.of(allowed));
    }

    private void require(String what, Set<TaskState> allowed) {
        if (sealed) {
            throw new IllegalStateException("task " + task.id + ": a draft used after its change (" + what + ")");
        }
        if (!allowed.contains(task.state)) {
            throw new IllegalStateException("task " + task.id + ": cannot " + what + " when " + task.state.json());
        }
    }
}
