package io.videoworker.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.spool.TaskState;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The worker's Prometheus metrics (docs/operations.md lists each): task work counted from the
 * task store's changes ({@link TaskMetrics}), the state of the pool, spool and core read at each
 * scrape, and the usual JVM and process metrics. Counts only: no label carries a session id, a
 * user, or a storage's name or address.
 */
public final class WorkerMetrics implements AutoCloseable {
    /** What the metrics read from the rest of the worker at scrape time. */
    public record Sources(TaskService tasks, int poolSize, LongSupplier spoolFreeBytes, long spoolReserveBytes,
            Supplier<String> coreState, LongSupplier lastHeartbeatAt, LongSupplier uploadsInProgress) {
    }

    private static final List<String> CORE_STATES = List.of("standalone", "registering", "unreachable", "refused", "ok");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public WorkerMetrics(Sources sources, Clock clock) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        sources.tasks().observe(new TaskMetrics(registry));

        TaskService tasks = sources.tasks();
        for (TaskState s : TaskState.values()) {
            Gauge.builder("videoworker.tasks", tasks, t -> t.count(x -> x.state == s))
                    .description("Tasks in the spool by state (finished ones until the clean period)")
                    .tag("state", s.json()).register(registry);
        }
        Gauge.builder("videoworker.queue.length", tasks, TaskService::queued)
                .description("Tasks waiting for a conversion slot").register(registry);
        Gauge.builder("videoworker.queue.oldest.age", tasks, t -> {
            long oldest = t.oldestQueuedAt();
            return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
        }).baseUnit("seconds").description("How long the task queued longest has waited (0: none is queued)").register(registry);
        Gauge.builder("videoworker.conversions.running", tasks, TaskService::converting)
                .description("Conversions running now").register(registry);
        Gauge.builder("videoworker.pool.size", () -> sources.poolSize())
                .description("Conversions that may run at once (VIDEO_WORKER_COUNT)").register(registry);
        Gauge.builder("videoworker.publish.retries.pending", tasks,
                        t -> t.count(x -> x.state == TaskState.PUBLISHING && x.publishAttempts > 0))
                .description("Tasks whose last publish attempt failed and that wait for the next one").register(registry);
        Gauge.builder("videoworker.spool.free", () -> sources.spoolFreeBytes().getAsLong()).baseUnit("bytes")
                .description("Free bytes on the spool's filesystem").register(registry);
        Gauge.builder("videoworker.spool.reserve", () -> sources.spoolReserveBytes()).baseUnit("bytes")
                .description("Free bytes the spool keeps (VIDEO_WORKER_SPOOL_RESERVE_MB): below it new work is refused; conversions keep twice it")
                .register(registry);
        Gauge.builder("videoworker.uploads.in.progress", () -> sources.uploadsInProgress().getAsLong())
                .description("Task creations and part uploads being received now").register(registry);
        for (String state : CORE_STATES) {
            Gauge.builder("videoworker.core.state", () -> state.equals(sources.coreState().get()) ? 1 : 0)
                    .description("1 for the worker's current standing with core (standalone: no core)")
                    .tag("state", state).register(registry);
        }
        Gauge.builder("videoworker.core.heartbeat.age", () -> {
            long at = sources.lastHeartbeatAt().getAsLong();
            return at <= 0 ? Double.NaN : Math.max(0, clock.millis() - at) / 1000.0;
        }).baseUnit("seconds").description("Time since core last answered a heartbeat (NaN: never, or stand-alone)")
                .register(registry);
    }

    /** The Prometheus text format (version 0.0.4), as scraped. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
