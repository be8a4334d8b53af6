package io.videoworker.worker.publish;

import io.videoworker.worker.convert.ReplayDates;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * What core hears about a session: lifecycle events and the session's replay fields. Stand-alone,
 * it all goes to the task log.
 */
public interface SessionReporter {
    /** A lifecycle event such as replay_convert_start; failures are only logged. */
    void event(Task task, String event, String reason, TaskLog log);

    /** The replay is in storage: has_replay, replay_size, and error_reason when it is the original. */
    void published(Task task, TaskLog log) throws IOException;

    /** Publishing finally failed: error_reason replay_upload_failed. */
    void publishFailed(Task task, TaskLog log) throws IOException;

    /**
     * The UTC day the session started ({@code YYYY-MM-DD}, the storage keys' folder), for a task
     * whose sender gave none: as core has it, or, stand-alone, the day the task arrived (UTC).
     */
    String sessionDay(Task task, TaskLog log) throws IOException;

    /** Stand-alone: everything into the task log. */
    SessionReporter LOG_ONLY = new SessionReporter() {
        @Override
        public void event(Task task, String event, String reason, TaskLog log) {
            log.info("session " + task.sessionId + " event " + event + (reason == null ? "" : " (" + reason + ")"));
        }

        @Override
        public void published(Task task, TaskLog log) {
            log.info("session " + task.sessionId + " update: has_replay=true replay_size=" + task.publishedBytes
                    + (task.errorReason != null ? " error_reason=" + task.errorReason : ""));
        }

        @Override
        public void publishFailed(Task task, TaskLog log) {
            log.info("session " + task.sessionId + " update: error_reason=replay_upload_failed");
        }

        @Override
        public String sessionDay(Task task, TaskLog log) {
            // the day the recording arrived (a session ends shortly before): not the day of a later retry
            long arrived = task.createdAt > 0 ? task.createdAt : System.currentTimeMillis();
            String today = ReplayDates.day(Instant.ofEpochMilli(arrived).atOffset(ZoneOffset.UTC));
            log.warn("the sender gave no session date and there is no core to ask: the storage keys use today, " + today);
            return today;
        }
    };
}
