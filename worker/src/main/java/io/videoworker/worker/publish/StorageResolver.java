package io.videoworker.worker.publish;

import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;

/** Decides, right before each publish, where a task's replay goes. */
public interface StorageResolver {
    /**
     * Where to publish now, and the storage config to keep with the task for the next try.
     *
     * @param sealedBefore the config kept from an earlier try (sealed), or null: used when the
     *                     current one cannot be had (core down)
     */
    Resolution resolve(String sealedBefore, TaskLog log) throws IOException;

    /** The storage to publish to, and its config sealed for keeping (null when there is none to keep). */
    record Resolution(ReplayStorage storage, String sealed) {
    }

    static StorageResolver fixed(ReplayStorage storage) {
        return (sealedBefore, log) -> new Resolution(storage, null);
    }
}
