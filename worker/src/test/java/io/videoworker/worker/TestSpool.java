package io.videoworker.worker;

import io.videoworker.worker.pool.UploadResult;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.pool.TaskService;
import io.videoworker.worker.publish.LocalStorage;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.publish.StorageResolver;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real {@link TaskService} on a data folder, without HTTP: tasks are created and parts
 * uploaded through the same calls the API makes. Not started unless asked, so nothing converts.
 */
public final class TestSpool implements AutoCloseable {
    public final WorkerConfig config;
    public final Spool spool;
    public final TaskService tasks;
    private final Map<String, byte[]> parts = new HashMap<>();

    public TestSpool(Path data) throws Exception {
        this(data, SessionReporter.LOG_ONLY, Map.of());
    }

    /** With another reporter (one that fails, say) and more settings. */
    public TestSpool(Path data, SessionReporter reporter, Map<String, String> settings) throws Exception {
        this(data, null, reporter, settings, java.time.Clock.systemUTC());
    }

    /** With another storage (null: local storage under the data folder), reporter, settings and clock. */
    public TestSpool(Path data, StorageResolver storages, SessionReporter reporter, Map<String, String> settings,
            java.time.Clock clock) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("DATA_DIR", data.toString(), "VIDEO_WORKER_COUNT", "1",
                "VIDEO_WORKER_SPOOL_RESERVE_MB", "0", "VIDEO_WORKER_CLEAN_PERIOD", "7"));
        env.putAll(settings);
        config = WorkerConfig.load(null, env);
        spool = new Spool(config.tasksDir());
        tasks = new TaskService(config, spool, storages != null ? storages : StorageResolver.fixed(new LocalStorage(config.replaysDir())),
                reporter, () -> null, clock);
    }

    /** Loads the spool as after a restart (sweep, session links, resume); what is queued converts. */
    public TestSpool start() throws Exception {
        tasks.start();
        return this;
    }

    /** The task once {@code condition} holds (polled); fails the test after {@code seconds}. */
    public Task await(String id, java.util.function.Predicate<Task> condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (true) {
            Task t = tasks.get(id); // a snapshot: it never changes under the test
            if (condition.test(t)) {
                return t;
            }
            org.assertj.core.api.Assertions.assertThat(System.currentTimeMillis())
                    .as("task %s still %s after %d s", id, t.state, seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The task once it is done, failed or expired. */
    public Task awaitFinished(String id, int seconds) throws InterruptedException {
        return await(id, t -> t.state.finished(), seconds);
    }

    /** A G3 task of {@code count} parts for the session, nothing received yet. */
    public Task createParts(String sessionId, int count) throws Exception {
        List<Object[]> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = TestRecordings.part(0x102030 * (i + 1), 10_000 + i * 2_000L, 11_000 + i * 2_000L);
            String name = sessionId + "." + i + ".part.gz";
            parts.put(name, data);
            files.add(new Object[] {name, 10_000 + i * 2_000L, 11_000 + i * 2_000L, TestRecordings.sha256(data)});
        }
        JsonNode body = Spool.JSON.readTree(LionClient.taskBody(sessionId, files));
        return tasks.createParts(sessionId, body);
    }

    /** Uploads part {@code index} of the task, as Lion would; the last one queues the task. Returns the task as it is then. */
    public Task upload(Task t, int index) throws Exception {
        byte[] data = parts.get(t.files.get(index).name);
        UploadResult r = tasks.uploadPart(t.id, String.valueOf(index), t.files.get(index).name,
                new ByteArrayInputStream(data), data.length);
        if (!r.ok()) {
            throw new AssertionError("upload of part " + index + " refused: " + r.message());
        }
        return tasks.get(t.id);
    }

    @Override
    public void close() {
        tasks.close();
    }
}
