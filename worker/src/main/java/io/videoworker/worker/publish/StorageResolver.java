package io.videoworker.worker.publish;

import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;

/** Decides, right before each publish, where a task's replay goes. */
public interface StorageResolver {
    ReplayStorage resolve(Task task, TaskLog log) throws IOException;

    static StorageResolver fixed(ReplayStorage storage) {
        return (task, log) -> storage;
    }
}
