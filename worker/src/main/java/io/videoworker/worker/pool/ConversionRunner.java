package io.videoworker.worker.pool;

import io.videoworker.worker.publish.Publisher;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    ConversionProcess.Outcome run(Task t, TaskLog log) throws IOException, InterruptedException {
        Spool.deleteTree(spool.out(t.id)); // a conversion interrupted by a crash is redone from its inputs
        Path staging = spool.newStaging(t.id);
        boolean promoted = false;
        try {
            ConversionProcess.Outcome o = process.run(args(t, staging), timeout(t), log, p -> {
                if (p != t.progress) {
                    t.progress = p;
                    if (p % 10 == 0) {
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

    /** Ten minutes plus twice the recording's length: even huge recordings convert faster than real time. */
    private static Duration timeout(Task t) {
        long ms = t.files.stream().mapToLong(f -> Math.max(0, f.duration)).sum();
        return Duration.ofMinutes(10).plusMillis(2 * ms);
    }
}
