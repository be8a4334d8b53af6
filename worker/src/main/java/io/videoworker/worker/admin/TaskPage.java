package io.videoworker.worker.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * One task's page: what it is, where it stands (with an ETA while converting), its parts,
 * history, published keys, errors, the actions that fit its state and the end of its log.
 */
final class TaskPage {
    /** A labelled value. */
    record Fact(String label, String value) {
    }

    record Part(String name, String size, String checksum, boolean received) {
    }

    record Change(String at, String state, String why) {
    }

    /** An action's form: where it posts, its button and what it does. */
    record Action(String path, String label, String help) {
    }

    record Model(String id, String session, String state, boolean converting, int progress, String eta, List<Fact> facts,
            List<Fact> errors, List<Part> parts, List<Change> history, List<String> published, String storage,
            List<Fact> sessionFields, List<Action> actions, boolean deletable, String log, String logNote) {
        public boolean hasErrors() {
            return !errors.isEmpty();
        }

        public boolean hasPublished() {
            return !published.isEmpty();
        }

        public boolean hasSessionFields() {
            return !sessionFields.isEmpty();
        }

        public boolean hasActions() {
            return !actions.isEmpty() || deletable;
        }
    }

    /** The actions of {@link StatusPages}, by the last segment of their path. */
    static final String PUBLISH_NOW = "publish-now";
    static final String CONVERT_AGAIN = "convert-again";
    static final String PUBLISH_ORIGINALS = "publish-originals";
    static final String DELETE = "delete";

    private TaskPage() {
    }

    /**
     * @param meta the session's fields as Lion sent them (a finished task's come from task.json), or null
     */
    static Model build(Task t, ObjectNode meta, LogTail log, long now) {
        boolean converting = t.state == TaskState.CONVERTING;
        return new Model(t.id, t.sessionId, t.state.json(), converting, t.progress, converting ? eta(t, now) : null,
                facts(t, now), errors(t), parts(t), history(t), t.published, t.storage, sessionFields(t, meta), actions(t),
                t.state.finished(), log.text(), logNote(log));
    }

    /** Time left, from the run's start and its progress so far; null until there is enough to tell. */
    static String eta(Task t, long now) {
        long elapsed = now - t.convertStartedAt;
        if (t.convertStartedAt <= 0 || t.progress < 1 || t.progress >= 100 || elapsed < 2000) {
            return null;
        }
        long left = elapsed * (100 - t.progress) / t.progress;
        return "about " + Formats.duration(left + 999) + " left (running for " + Formats.duration(elapsed) + ")";
    }

    private static List<Fact> facts(Task t, long now) {
        List<Fact> f = new ArrayList<>();
        f.add(new Fact("Kind", t.kind == Task.Kind.PARTS ? "parts (Lion G3)" : "single recording (G2)"));
        f.add(new Fact("Created", Formats.time(t.createdAt)));
        if (t.convertStartedAt > 0) {
            f.add(new Fact("Conversion started", Formats.time(t.convertStartedAt)));
        }
        f.add(new Fact("Conversion runs", String.valueOf(t.attempts)));
        if (t.outputBytes > 0) {
            f.add(new Fact("Video", Formats.bytes(t.outputBytes) + ", " + Formats.duration(t.videoMs)));
        }
        if (t.originals) {
            f.add(new Fact("Publishes", "the original recording"));
        }
        if (t.publishAttempts > 0) {
            f.add(new Fact("Publish attempts", String.valueOf(t.publishAttempts)));
        }
        if (t.nextAttemptAt > 0 && !t.state.finished()) {
            f.add(new Fact("Next attempt", Formats.time(t.nextAttemptAt) + " (in " + Formats.duration(t.nextAttemptAt - now) + ")"));
        }
        if (t.publishedBytes > 0) {
            f.add(new Fact("Published", Formats.bytes(t.publishedBytes)));
        }
        if (t.finishedAt > 0) {
            f.add(new Fact("Finished", Formats.time(t.finishedAt)));
        }
        return f;
    }

    private static List<Fact> errors(Task t) {
        List<Fact> e = new ArrayList<>();
        if (t.error != null) {
            e.add(new Fact(t.errorReason == null ? "Error" : "Error (" + t.errorReason + ")", t.error));
        }
        if (t.lastConvertError != null) {
            e.add(new Fact("Last conversion trouble", t.lastConvertError));
        }
        if (t.lastPublishError != null) {
            e.add(new Fact("Last publish error", t.lastPublishError));
        }
        return e;
    }

    private static List<Part> parts(Task t) {
        return t.files.stream().map((PartFile p) -> new Part(p.name, p.size > 0 ? Formats.bytes(p.size) : "—", p.checksum,
                p.received)).toList();
    }

    private static List<Change> history(Task t) {
        return t.history.stream().map(c -> new Change(Formats.time(c.at()), c.state().json(), c.why())).toList();
    }

    private static List<Fact> sessionFields(Task t, ObjectNode meta) {
        List<Fact> f = new ArrayList<>();
        add(f, "session date", t.sessionDate);
        add(f, "component_type", t.componentType);
        add(f, "file_type", t.fileType);
        if (meta != null) {
            meta.properties().forEach(e -> {
                if (!e.getValue().isContainerNode()) { // files[] is the parts table
                    add(f, e.getKey(), e.getValue().asText());
                }
            });
        }
        return f;
    }

    private static void add(List<Fact> facts, String label, String value) {
        if (value != null && !value.isBlank()) {
            facts.add(new Fact(label, value));
        }
    }

    /**
     * The actions that fit the task's state, as TaskDraft's rules allow them; only offered here:
     * the task decides when asked, and a refusal is shown with its reason.
     */
    static List<Action> actions(Task t) {
        List<Action> a = new ArrayList<>();
        if (t.state == TaskState.PUBLISHING || t.state == TaskState.FAILED && "replay_upload_failed".equals(t.errorReason)) {
            a.add(new Action(PUBLISH_NOW, "Retry publishing now",
                    "Publishes at once instead of at the next retry; a publish that failed for good starts over."));
        }
        boolean fromSpool = !t.uploadDone && (t.state == TaskState.QUEUED || t.state == TaskState.PUBLISHING
                || t.state == TaskState.FAILED);
        if (fromSpool) {
            a.add(new Action(CONVERT_AGAIN, "Convert again",
                    "Converts the recording in the spool again, its counts and errors cleared."));
        }
        if (fromSpool && !(t.state == TaskState.PUBLISHING && t.publishesOriginals())) {
            a.add(new Action(PUBLISH_ORIGINALS, "Publish the originals",
                    "Publishes the original recording instead of a video."));
        }
        return a;
    }

    private static String logNote(LogTail log) {
        if (log.fileBytes() == 0) {
            return "task.log is empty";
        }
        return log.cut() ? "the last " + Formats.bytes(LogTail.MAX_BYTES) + " of " + Formats.bytes(log.fileBytes())
                : Formats.bytes(log.fileBytes());
    }
}
