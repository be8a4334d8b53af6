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
        t.createdAt = now;
        TaskDraft d = new TaskDraft(t, now);
        d.moveTo(TaskState.RECEIVING, null);
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
        f.size = bytes; // as received: the announced size is the sender's word, this is the spool's
        f.checksum = sha256; // G3: the one announced, verified; G2: nothing was announced
        task.lastUploadAt = now;
        durable();
        if (task.allReceived()) {
            moveTo(TaskState.QUEUED, null);
            task.queuedAt = now;
            return true;
        }
        return false;
    }

    /** Nothing more will come (too long without a part, or a newer task for the session): nothing is published. */
    public void expire(String why) {
        require("expire", TaskState.RECEIVING);
        moveTo(TaskState.EXPIRED, why);
        task.error = why;
        finish();
    }

    // ---- converting -------------------------------------------------------------------------------

    /** A conversion run starts, and counts unless the spool's trouble stops it ({@link #waitForSpool}). */
    public void startConversion() {
        require("start converting", TO_CONVERT);
        task.attempts++;
        moveTo(TaskState.CONVERTING, null);
        task.runOpen = true;
        task.convertStartedAt = now;
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

    /** The run succeeded: {@code out/} holds a video of {@code bytes} bytes and {@code videoMs} ms. */
    public void converted(long bytes, long videoMs) {
        require("finish converting", TaskState.CONVERTING);
        task.progress = 100;
        task.outputBytes = bytes;
        task.videoMs = videoMs;
        moveTo(TaskState.PUBLISHING, null);
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
        task.runOpen = false;
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
            moveTo(TaskState.QUEUED, why);
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
        task.originals = true;
        moveTo(TaskState.PUBLISHING, why);
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

    /**
     * The storage this publish uses: its type, and its config sealed (kept with the next durable
     * change, for a retry while core is down).
     */
    public void storageResolved(String type, String sealed) {
        require("resolve storage", TaskState.PUBLISHING);
        if (!type.equals(task.storage)) {
            task.storage = type;
            memory();
        }
        if (sealed != null && !sealed.equals(task.storageConfigSealed)) {
            task.storageConfigSealed = sealed;
            memory();
        }
    }

    /** The session's day, asked of core because the sender gave none: kept, so every retry uses the same keys. */
    public void sessionDated(String day) {
        require("date the session", TaskState.PUBLISHING);
        task.sessionDate = day;
        durable();
    }

    /** The objects are in storage of {@code type} (local, s3…); only telling core may remain. */
    public void uploaded(String type, List<String> keys, long bytes, String note) {
        require("record the upload", TaskState.PUBLISHING);
        if (task.uploadDone) {
            throw new IllegalStateException("task " + task.id + ": uploaded twice");
        }
        task.storage = type;
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
        moveTo(task.publishesOriginals() ? TaskState.FAILED : TaskState.DONE, null);
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
            task.errorReason = "replay_upload_failed";
            task.error = "publishing failed for " + period.toHours() + " h: " + why;
            moveTo(TaskState.FAILED, task.error);
            finish();
            return true;
        }
        task.nextAttemptAt = now + retries.jittered(task.publishAttempts);
        durable();
        return false;
    }

    // ---- an administrator's actions ---------------------------------------------------------------
    // Asked for by a person, so a state they do not fit is refused with a reason (ActionRefused),
    // not treated as a bug. Each says who asked in the task's history.

    /**
     * Publish now: a publish waiting for its next attempt tries at once, and one that failed for
     * good (its files are kept until the clean period) starts over with a fresh retry period.
     */
    public void publishNow(String who) {
        boolean failedUpload = task.state == TaskState.FAILED && "replay_upload_failed".equals(task.errorReason);
        refuseUnless(task.state == TaskState.PUBLISHING || failedUpload,
                "only a task that is publishing, or whose publishing failed, can be published now");
        freshPublish(task.publishesOriginals() ? "the original recording is published instead" : null);
        moveTo(TaskState.PUBLISHING, "publish now, asked by " + who);
        durable();
    }

    /** Convert again from the recording in the spool, as if it had just arrived (counts and errors cleared). */
    public void convertAgain(String who) {
        refuseUnless(!task.uploadDone, "its replay is in storage already and its recording is no longer in the spool");
        refuseUnless(task.state == TaskState.QUEUED || task.state == TaskState.PUBLISHING || task.state == TaskState.FAILED,
                "a task that is " + task.state.json() + " cannot be converted again");
        task.attempts = 0;
        task.diskWaits = 0;
        task.outOfRoomRuns = 0;
        task.internalErrors = 0;
        task.lastConvertError = null;
        task.originals = false;
        task.error = null;
        task.errorReason = null;
        task.outputBytes = 0;
        task.videoMs = 0;
        task.progress = 0;
        freshPublish(null);
        task.queuedAt = now;
        moveTo(TaskState.QUEUED, "convert again, asked by " + who);
        durable();
    }

    /** Publish the original recording instead of converting it (or instead of the video converted). */
    public void publishOriginalsNow(String who) {
        refuseUnless(!task.uploadDone, "its replay is in storage already and its recording is no longer in the spool");
        refuseUnless(task.state == TaskState.QUEUED || task.state == TaskState.PUBLISHING && !task.publishesOriginals()
                || task.state == TaskState.FAILED, "a task that is " + task.state.json()
                + (task.publishesOriginals() ? " with its originals" : "") + " cannot publish its originals now");
        task.progress = 0;
        freshPublish("the original recording is published instead, as asked by " + who);
        task.originals = true;
        task.errorReason = "replay_convert_failed";
        moveTo(TaskState.PUBLISHING, "publish the originals, asked by " + who);
        durable();
    }

    /** Publishing starts over: no attempt made yet, no error, not finished. */
    private void freshPublish(String error) {
        task.publishAttempts = 0;
        task.firstPublishFailureAt = 0;
        task.lastPublishError = null;
        task.nextAttemptAt = 0;
        task.finishedAt = 0;
        task.error = error;
        task.errorReason = task.publishesOriginals() ? "replay_convert_failed" : null;
    }

    private void refuseUnless(boolean allowed, String why) {
        if (sealed) {
            throw new IllegalStateException("task " + task.id + ": a draft used after its change");
        }
        if (!allowed) {
            throw new ActionRefused("task " + task.id + " is " + task.state.json() + ": " + why);
        }
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
            task.error = "internal error, given up after " + task.internalErrors + " tries: " + what;
            moveTo(TaskState.FAILED, task.error);
            if (task.errorReason == null) {
                task.errorReason = task.uploadDone ? "replay_upload_failed" : "replay_convert_failed";
            }
            finish();
            return true;
        }
        if (task.state == TaskState.CONVERTING) {
            moveTo(TaskState.QUEUED, "internal error: " + what);
            task.progress = 0;
        }
        task.nextAttemptAt = now + waits.pause(task.internalErrors);
        durable();
        return false;
    }

    /** The one place a state changes: it is written down in the task's history. */
    private void moveTo(TaskState state, String why) {
        if (state == task.state) {
            return;
        }
        task.runOpen = false; // leaving converting ends its run
        task.state = state;
        if (task.history.size() >= Task.MAX_HISTORY) {
            task.history.remove(1); // the first (created) and the latest tell the most
        }
        task.history.add(new Task.StateChange(now, state, why));
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
