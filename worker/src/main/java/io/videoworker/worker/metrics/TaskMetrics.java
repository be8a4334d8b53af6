package io.videoworker.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.TaskStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The counters and histograms of task work, read off the task store's changes: every count is a
 * transition seen, so nothing in the pool has to remember to count. Labels come from small fixed
 * sets (never a session id, a user or a storage's name or address).
 */
final class TaskMetrics implements TaskStore.Observer {
    /** The protocols Lion records; any other value a caller sends counts as "other". */
    private static final Set<String> PROTOCOLS = Set.of("rdp", "vnc", "ssh", "telnet");
    /** Storage types as core names them; anything else is "other". */
    private static final Set<String> STORAGES = Set.of("local", "server", "s3", "ceph", "swift", "cos", "oss", "obs", "azure", "sftp");
    private static final List<String> PROTOCOL_LABELS = labels(PROTOCOLS, "other", "unknown");
    private static final List<String> STORAGE_LABELS = labels(STORAGES, "other", "unknown");

    private final MeterRegistry registry;
    private final Counter receivedBytes;
    private final Counter writtenBytes;
    private final Counter publishedBytes;
    private final Counter expired;
    private final Counter internalErrors;
    private final Timer conversionTime;
    private final DistributionSummary realTimeFactor;

    TaskMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.receivedBytes = Counter.builder("videoworker.received").baseUnit("bytes")
                .description("Recording bytes accepted into the spool (parts and single recordings)").register(registry);
        this.writtenBytes = Counter.builder("videoworker.written").baseUnit("bytes")
                .description("MP4 bytes written by conversions that succeeded").register(registry);
        this.publishedBytes = Counter.builder("videoworker.published").baseUnit("bytes")
                .description("Bytes put into replay storage (videos, or originals after a failed conversion)").register(registry);
        this.expired = Counter.builder("videoworker.tasks.expired")
                .description("Tasks dropped because their parts stopped arriving (the sender keeps its recording)").register(registry);
        this.internalErrors = Counter.builder("videoworker.internal.errors")
                .description("Unexpected errors met while working on a task (each is retried; the third fails the task)").register(registry);
        this.conversionTime = Timer.builder("videoworker.conversion")
                .description("Wall time of conversion runs that succeeded")
                .serviceLevelObjectives(seconds(1), seconds(5), seconds(15), seconds(30), seconds(60), seconds(120), seconds(300),
                        seconds(600), seconds(1800), seconds(3600))
                .register(registry);
        this.realTimeFactor = DistributionSummary.builder("videoworker.conversion.realtime.factor")
                .description("Video length divided by conversion wall time (how many times faster than real time)")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000).register(registry);
        // every series of a fixed label set exists from the start, at 0: increase() then counts the first event too
        for (String protocol : PROTOCOL_LABELS) {
            for (String kind : List.of("parts", "single")) {
                accepted(kind, protocol);
            }
            converted(protocol);
            conversionFailed(protocol);
        }
        for (String storage : STORAGE_LABELS) {
            for (String content : List.of("video", "originals")) {
                published(storage, content);
            }
            attemptFailed(storage);
            publishFailed(storage);
        }
    }

    private static List<String> labels(Set<String> known, String... more) {
        List<String> all = new java.util.ArrayList<>(new java.util.TreeSet<>(known));
        all.addAll(List.of(more));
        return all;
    }

    private Counter accepted(String kind, String protocol) {
        // not "created": Prometheus reserves the _created suffix, and the counter would vanish from the scrape
        return counter("videoworker.tasks.accepted", "Tasks accepted (G3 parts or a G2 single recording)", "kind", kind,
                "protocol", protocol);
    }

    private Counter converted(String protocol) {
        return counter("videoworker.tasks.converted", "Conversions that succeeded", "protocol", protocol);
    }

    private Counter conversionFailed(String protocol) {
        return counter("videoworker.tasks.conversion.failed",
                "Conversions given up (failed, or abandoned for disk space or by an administrator): the original recording is "
                        + "published instead", "protocol", protocol);
    }

    private Counter published(String storage, String content) {
        return counter("videoworker.tasks.published", "Tasks whose replay is in storage", "storage", storage, "content", content);
    }

    private Counter attemptFailed(String storage) {
        return counter("videoworker.publish.attempts.failed", "Publish attempts that failed (each is retried with backoff)",
                "storage", storage);
    }

    private Counter publishFailed(String storage) {
        return counter("videoworker.tasks.publish.failed", "Tasks whose publishing failed for the whole retry period",
                "storage", storage);
    }

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    @Override
    public void changed(Task before, Task after) {
        if (after == null) {
            return; // cleaned or deleted: counted when it finished
        }
        if (before == null) {
            accepted(after.kind == Task.Kind.PARTS ? "parts" : "single", protocol(after)).increment();
        }
        receivedBytes.increment(receivedSince(before, after));
        TaskState was = before == null ? null : before.state;
        if (was == TaskState.CONVERTING && after.state == TaskState.PUBLISHING && !after.publishesOriginals()) {
            conversionDone(after);
        }
        if ((was == TaskState.QUEUED || was == TaskState.CONVERTING) && after.state == TaskState.PUBLISHING
                && after.publishesOriginals()) {
            conversionFailed(protocol(after)).increment();
        }
        if (before != null && !before.uploadDone && after.uploadDone) {
            publishedBytes.increment(after.publishedBytes);
            published(storage(after), after.publishesOriginals() ? "originals" : "video").increment();
        }
        if (before != null && after.publishAttempts > before.publishAttempts) {
            attemptFailed(storage(after)).increment();
        }
        if (was != TaskState.FAILED && after.state == TaskState.FAILED && "replay_upload_failed".equals(after.errorReason)) {
            publishFailed(storage(after)).increment();
        }
        if (was != TaskState.EXPIRED && after.state == TaskState.EXPIRED) {
            expired.increment();
        }
        if (before != null && after.internalErrors > before.internalErrors) {
            internalErrors.increment();
        }
    }

    private void conversionDone(Task t) {
        long wall = Math.max(1, t.updatedAt - t.convertStartedAt);
        conversionTime.record(Duration.ofMillis(wall));
        if (t.videoMs > 0) {
            realTimeFactor.record((double) t.videoMs / wall);
        }
        writtenBytes.increment(t.outputBytes);
        converted(protocol(t)).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** Bytes of the parts received by this change. */
    private static long receivedSince(Task before, Task after) {
        long bytes = 0;
        for (int i = 0; i < after.files.size(); i++) {
            PartFile f = after.files.get(i);
            boolean was = before != null && i < before.files.size() && before.files.get(i).received;
            if (f.received && !was) {
                bytes += Math.max(0, f.size);
            }
        }
        return bytes;
    }

    private static String protocol(Task t) {
        if (t.meta == null || !t.meta.hasNonNull("protocol")) {
            return "unknown";
        }
        String p = t.meta.get("protocol").asText().toLowerCase(Locale.ROOT);
        return PROTOCOLS.contains(p) ? p : "other";
    }

    private static String storage(Task t) {
        if (t.storage == null) {
            return "unknown";
        }
        return STORAGES.contains(t.storage) ? t.storage : "other";
    }
}
