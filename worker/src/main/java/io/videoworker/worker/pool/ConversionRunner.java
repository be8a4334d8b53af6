package io.videoworker.worker.pool;

import io.videoworker.guac.SessionPlayer;
import io.videoworker.worker.convert.OutputLimits;
import io.videoworker.worker.publish.Publisher;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One conversion run of a task: the converter's arguments from the task, a fresh staging folder
 * for its output, and {@code out/} replaced by that folder only if the run succeeded. So
 * {@code out/} never holds a partial result, and a converter left over from an earlier run (or an
 * earlier life of the worker) can never write into the result being published.
 */
final class ConversionRunner {
    private final Spool spool;
    private final ConversionProcess process;

    ConversionRunner(Spool spool, ConversionProcess process) {
        this.spool = spool;
        this.process = process;
    }

    /**
     * @param minFreeBytes free space the converter keeps on the spool's disk: it stops (exit 3,
     *                     nothing kept) rather than write below it
     * @param progress     told each new percentage (the task's owner records it)
     */
    ConversionProcess.Outcome run(Task t, TaskLog log, long minFreeBytes, IntConsumer progress)
            throws IOException, InterruptedException {
        Spool.deleteTree(spool.out(t.id)); // a conversion interrupted by a crash is redone from its inputs
        Path staging = spool.newStaging(t.id);
        boolean promoted = false;
        try {
            long inputBytes = inputBytes(t);
            List<String> args = args(t, staging);
            args.add("--max-output-bytes");
            args.add(Long.toString(OutputLimits.defaultCap(inputBytes)));
            args.add("--min-free-bytes");
            args.add(Long.toString(minFreeBytes));
            int[] last = {-1};
            int[] logged = {0}; // tens of percent logged: one line each time progress passes one, even in a jump
            ConversionProcess.Outcome o = process.run(args, timeout(inputBytes, t.files), log, p -> {
                if (p != last[0]) {
                    last[0] = p;
                    progress.accept(p);
                    if (p / 10 > logged[0]) {
                        logged[0] = p / 10;
                        log.info("conversion " + p + "%");
                    }
                }
            });
            if (o.ok()) {
                spool.promote(t.id, staging);
                promoted = true;
            }
            return o;
        } finally {
            if (!promoted) {
                Spool.deleteTree(staging);
            }
        }
    }

    private List<String> args(Task t, Path out) throws IOException {
        List<String> args = new ArrayList<>();
        Path in = spool.in(t.id);
        if (t.kind == Task.Kind.PARTS) {
            Path json = spool.inFile(t.id, t.sessionId + ".replay.json");
            Spool.JSON.writeValue(json.toFile(), Publisher.originalReplayJson(t));
            args.add(in.toString());
            args.add("--per-part");
            args.add("-o");
            args.add(out.toString());
        } else {
            args.add(spool.inFile(t.id, t.files.get(0).name).toString());
            args.add("-o");
            args.add(Spool.child(out, t.sessionId + ".replay.mp4").toString());
        }
        if (t.maxFrame > 0 && t.maxFrame < 30) {
            args.add("--max-fps");
            args.add(Integer.toString(t.maxFrame)); // Lion's MaxFrame only ever lowers the cap
        }
        return args;
    }

    /** The recording as stored in the spool: what the sender really gave, whatever its meta says. */
    private long inputBytes(Task t) throws IOException {
        long sum = 0;
        for (PartFile f : t.files) {
            Path p = spool.inFile(t.id, f.name);
            sum = saturatedAdd(sum, Files.isRegularFile(p) ? Files.size(p) : 0);
        }
        return sum;
    }

    /** The longest a conversion may take, in any case. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    /** A minute per MiB stored: busy content converts at ≈ 5 s per MiB of gzip on one core pair. */
    private static final long MS_PER_INPUT_MIB = 60_000;

    /**
     * Ten minutes, plus a minute per MiB of input on disk (busy recordings: their cost is in their
     * bytes), plus twice the length the sender states (idle recordings: their cost is in their
     * time; taken as at most the 7-day timeline, since files[].duration is the caller's number and
     * may be negative or 2^62), at most a day. Saturating: nothing here can overflow.
     */
    static Duration timeout(long inputBytes, List<PartFile> files) {
        long stated = 0;
        for (PartFile f : files) {
            stated = Math.min(SessionPlayer.MAX_DURATION_MS, saturatedAdd(stated, Math.max(0, f.duration)));
        }
        long ms = Duration.ofMinutes(10).toMillis();
        ms = saturatedAdd(ms, saturatedMultiply(Math.max(0, inputBytes) >> 20, MS_PER_INPUT_MIB));
        ms = saturatedAdd(ms, 2 * stated);
        return Duration.ofMillis(Math.min(ms, MAX_TIMEOUT.toMillis()));
    }

    /** a + b for a, b ≥ 0, Long.MAX_VALUE instead of an overflow. */
    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /** a × b for a, b ≥ 0, Long.MAX_VALUE instead of an overflow. */
    private static long saturatedMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }
}
