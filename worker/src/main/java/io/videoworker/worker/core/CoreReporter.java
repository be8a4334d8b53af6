package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoworker.worker.convert.ReplayDates;
import io.videoworker.worker.publish.SessionReporter;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;

/** Session updates and lifecycle events sent to core (jumpserver-integration.md §3.6). */
public final class CoreReporter implements SessionReporter {
    private final CoreClient core;

    public CoreReporter(CoreClient core) {
        this.core = core;
    }

    @Override
    public void event(Task task, String event, String reason, TaskLog log) {
        var body = CoreClient.JSON.createObjectNode().put("event", event);
        if (reason != null && !reason.isBlank()) { // core's serializer answers 400 to a blank reason: leave it out
            body.put("reason", reason);
        }
        try {
            core.json("POST", "/api/v1/terminal/sessions/" + task.sessionId + "/lifecycle_log/", body);
            log.info("lifecycle event " + event + (body.has("reason") ? " (" + reason + ")" : "") + " sent to core");
        } catch (CoreException e) {
            log.warn("lifecycle event " + event + " not recorded by core: " + e.getMessage());
        }
    }

    @Override
    public void published(Task task, TaskLog log) throws IOException {
        String path = "/api/v1/terminal/sessions/" + task.sessionId + "/";
        // a core without replay_size ignores the field (DRF drops unknown fields): no fallback needed
        core.json("PATCH", path, CoreClient.JSON.createObjectNode().put("has_replay", true).put("replay_size", task.publishedBytes));
        if (task.errorReason != null) {
            core.json("PATCH", path, CoreClient.JSON.createObjectNode().put("error_reason", task.errorReason));
        }
        log.info("core updated: session " + task.sessionId + " has_replay=true replay_size=" + task.publishedBytes
                + (task.errorReason != null ? " error_reason=" + task.errorReason : ""));
    }

    /** Core's {@code date_start} for the session (core writes it in its own zone: the day is taken in UTC, as core's keys). */
    @Override
    public String sessionDay(Task task, TaskLog log) throws IOException {
        JsonNode start = core.json("GET", "/api/v1/terminal/sessions/" + task.sessionId + "/", null).path("date_start");
        String day;
        try {
            day = ReplayDates.day(ReplayDates.parse(start.asText()));
        } catch (IllegalArgumentException e) {
            throw new IOException("the sender gave no session date and core's session " + task.sessionId
                    + " has no usable date_start (" + start + ")", e);
        }
        log.info("the sender gave no session date: core says the session started on " + day + " (UTC)");
        return day;
    }

    @Override
    public void publishFailed(Task task, TaskLog log) throws IOException {
        core.json("PATCH", "/api/v1/terminal/sessions/" + task.sessionId + "/",
                CoreClient.JSON.createObjectNode().put("error_reason", "replay_upload_failed"));
        log.info("core updated: session " + task.sessionId + " error_reason=replay_upload_failed");
    }
}
