package io.videoworker.worker.pool;

import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.spool.DiskSpace;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.Backoff;
import io.videoworker.worker.task.TaskDraft;
import io.videoworker.worker.task.TaskStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntConsumer;

/**
 * One conversion run of a queued task, and what its outcome means: converted; a failed attempt
 * (run again once); bad input (the originals are published instead); or a full disk, which is
 * not the recording's fault until its own video is what fills the disk, again and again.
 */
final class ConvertStep {
    /** Counted runs before the originals are published instead. */
    static final int CONVERT_ATTEMPTS = 2;
    /** Longest a task waits for disk space in all (its pauses added up) before its originals are published. */
    static final long MAX_DISK_WAIT_TOTAL_MS = Duration.ofHours(1).toMillis();
    /** Runs whose video reached the disk's floor before it is taken not to fit on this disk at all. */
    static final int MAX_OUT_OF_ROOM_RUNS = 3;

    /** Runs the converter on a task (the real one: {@link ConversionRunner}). */
    @FunctionalInterface
    interface Conversion {
        ConversionProcess.Outcome run(Task t, TaskLog log, long minFreeBytes, IntConsumer progress)
                throws IOException, InterruptedException;
    }

    private final TaskStore store;
    private final Conversion conversion;
    private final SessionReporter reporter;
    private final DiskSpace disk;
    /** A conversion keeps this much free (twice the spool's reserve). */
    private final DiskSpace floor;
    private final Backoff waits;

    /**
     * @param reserve the spool's reserve: a conversion keeps twice that free, the reserve itself and as
     *                much again for the uploads that arrive while it writes, so a growing video never
     *                turns them away
     */
    ConvertStep(TaskStore store, Conversion conversion, SessionReporter reporter, Path tasksDir, long reserve, Backoff waits) {
        this.store = store;
        this.conversion = conversion;
        this.reporter = reporter;
        this.disk = new DiskSpace(tasksDir, reserve);
        this.floor = new DiskSpace(tasksDir, 2 * reserve);
        this.waits = waits;
    }

    void run(String id, TaskLog log) throws IOException, InterruptedException {
        Task t = store.get(id);
        long waited = waited(t.diskWaits);
        if (waited >= MAX_DISK_WAIT_TOTAL_MS) {
            giveUp(id, log, "not enough disk space to convert: waited " + Duration.ofMillis(waited).toMinutes()
                    + " minutes in all over " + t.diskWaits + " pauses"
                    + (t.lastConvertError != null ? " (last: " + t.lastConvertError + ")" : ""));
            return;
        }
        String shortage = floor.shortage(0);
        if (shortage != null) {
            pause(id, log, shortage.replace("must stay free", "must stay free while converting"));
            return;
        }
        long freeBefore = disk.free();
        boolean resumed = t.state == TaskState.CONVERTING && t.runOpen; // cut off: core heard of its start once
        Task running = store.change(id, TaskDraft::startConversion);
        if (resumed) {
            log.info("conversion taken up again: the run before was interrupted");
        } else {
            store.fence(id); // in a cluster: only while this node still holds the task
            reporter.event(running, "replay_convert_start", null, log);
        }
        long started = System.nanoTime();
        ConversionProcess.Outcome ran;
        try {
            ran = conversion.run(running, log, floor.reserve(), p -> store.progress(id, p));
        } catch (IOException e) { // preparing or starting the run failed: the worker's trouble, not the recording's
            pause(id, log, DiskSpace.trouble(e));
            return;
        }
        ConversionProcess.Outcome o = ran.ok() && !ran.result().path("checked").asBoolean() // nothing unchecked is published
                ? new ConversionProcess.Outcome(1, null, "the converter did not say it checked its MP4s") : ran;
        if (o.diskFull()) { // not counted: the disk, not the recording, until it happens again and again
            if (ownVideoFilledTheDisk(freeBefore, o.writtenBytes())) {
                Task counted = store.change(id, TaskDraft::ranOutOfRoom);
                log.warn("its video alone filled the disk to the floor: " + counted.outOfRoomRuns + " of "
                        + MAX_OUT_OF_ROOM_RUNS + " such runs before the original recording is published instead");
            }
            Task now = store.get(id);
            if (now.outOfRoomRuns < MAX_OUT_OF_ROOM_RUNS) {
                pause(id, log, o.error());
                return;
            }
            giveUp(id, log, "the video does not fit on this disk: " + now.outOfRoomRuns
                    + " runs stopped at the free space the spool keeps (last: " + o.error() + ")");
            return;
        }
        if (o.ok()) {
            Task converted = store.change(id, d -> d.converted(o.result().path("bytes").asLong(), o.result().path("duration_ms").asLong()));
            log.info("converted in " + (System.nanoTime() - started) / 1_000_000 + " ms: " + o.result());
            store.fence(id);
            reporter.event(converted, "replay_convert_success", null, log); // core may be slow: never under the task's lock
            return;
        }
        boolean runAgain = !o.badInput();
        String why = o.error();
        boolean last = store.update(id, d -> d.conversionFailed(why, runAgain, CONVERT_ATTEMPTS));
        log.warn("conversion attempt " + store.get(id).attempts + " failed: " + why);
        if (last) {
            log.error("conversion failed (" + why + "); the original recording will be published instead");
            store.fence(id);
            reporter.event(store.get(id), "replay_convert_failure", why, log);
        }
    }

    /**
     * Its own video filled the disk if it took at least half of the room it started with (the
     * converter says what it wrote when it stops at the floor). A plain ENOSPC says nothing:
     * then it did if, with it deleted, most of that room is free again. Otherwise others took the
     * space (another conversion growing) and only waiting helps.
     */
    private boolean ownVideoFilledTheDisk(long freeBefore, long written) throws IOException {
        long room = (freeBefore - floor.reserve()) / 2;
        return written >= 0 ? written >= room : disk.free() - floor.reserve() >= room;
    }

    /** Not the recording's fault: back to the queue uncounted, next try after a backoff. */
    private void pause(String id, TaskLog log, String why) {
        long delay = store.record(id, d -> d.waitForSpool(why, waits));
        log.warn("conversion paused: " + why + "; next try in " + Math.max(1, delay / 1000) + " s (not counted as a failed attempt)");
    }

    /** Waiting for space has lasted too long, or the video cannot fit: as after a failed conversion, the original recording is published. */
    private void giveUp(String id, TaskLog log, String why) throws IOException {
        Task t = store.change(id, d -> d.giveUpConverting(why));
        log.error("conversion given up (" + why + "); the original recording will be published instead");
        store.fence(id);
        reporter.event(t, "replay_convert_failure", why, log);
    }

    /** How long a task has waited for disk space in all: its pauses so far, added up. */
    private long waited(int pauses) {
        long sum = 0;
        for (int n = 1; n <= pauses && sum < MAX_DISK_WAIT_TOTAL_MS; n++) {
            sum += waits.pause(n);
        }
        return sum;
    }
}
