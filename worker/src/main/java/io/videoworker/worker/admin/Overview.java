package io.videoworker.worker.admin;

import io.videoworker.worker.api.Health;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The overview page: the worker's state (from health), its recent throughput and failures, and
 * the task list under the filters. Computed from task snapshots on each request; nothing here is
 * kept between requests.
 */
final class Overview {
    static final Duration RECENT = Duration.ofHours(1);
    static final Duration FAILURE_WINDOW = Duration.ofHours(24);

    /** One figure of the overview; {@code warn} marks one that needs a look. */
    record Card(String label, String value, String detail, boolean warn) {
    }

    /** One task in the list. */
    record Row(String id, String session, String state, boolean converting, int progress, String created,
            String lastError, String lastErrorFull) {
    }

    record StateOption(String value, boolean selected) {
    }

    /** The page's own values (the layout adds the rest). */
    record Model(List<Card> cards, List<StateOption> states, String session, String date, String filterProblem,
            List<Row> rows, int total, boolean more, boolean none) {
        public int shown() {
            return rows.size();
        }
    }

    private Overview() {
    }

    static Model build(Health h, int poolSize, List<Task> tasks, TaskFilter filter, long now) {
        List<Card> cards = new ArrayList<>();
        cards.add(new Card("Version", h.version(), h.mode(), false));
        boolean coreOk = "ok".equals(h.core()) || "standalone".equals(h.core());
        cards.add(new Card("Core", h.core(), h.coreProblem(), !coreOk));
        if (h.database() != null) { // cluster mode: the database every node shares, and who is alive
            boolean dbOk = "ok".equals(h.database());
            cards.add(new Card("Cluster", h.clusterNodes().size() + (h.clusterNodes().size() == 1 ? " node" : " nodes"),
                    dbOk ? "database ok: " + String.join(", ", h.clusterNodes()) : "database " + h.database() + ": " + h.databaseProblem(),
                    !dbOk));
        }
        cards.add(new Card("Converting", h.converting() + " / " + (h.database() != null ? poolSize + " here" : poolSize),
                h.database() != null ? "in the cluster / this node's pool size" : "conversions running / pool size", false));
        cards.add(new Card("Queue", String.valueOf(h.queued()),
                h.queued() == 0 ? "nothing waits" : "oldest waits " + Formats.duration(h.oldestQueuedSeconds() * 1000), false));
        cards.add(new Card("Spool free", Formats.bytes(h.spoolFreeBytes()), "on the spool's disk", h.spoolFreeBytes() < 0));
        cards.add(new Card("Converted, last hour", String.valueOf(convertedSince(tasks, now - RECENT.toMillis())),
                "videos made", false));
        cards.add(failureRate(tasks, now));
        cards.add(new Card("Up", Formats.duration(h.uptimeSeconds() * 1000), null, false));

        List<Task> matching = filter.apply(tasks);
        List<Row> rows = matching.stream().limit(TaskFilter.ROWS).map(Overview::row).toList();
        List<StateOption> states = Arrays.stream(TaskState.values())
                .map(s -> new StateOption(s.json(), s == filter.state())).toList();
        return new Model(cards, states, filter.session(), filter.day() == null ? null : filter.day().toString(),
                filter.problem(), rows, matching.size(), matching.size() > rows.size(), rows.isEmpty());
    }

    /**
     * Conversions that produced a video since {@code since}: in a task's history, converting
     * followed by publishing with no reason given (the transition a finished run makes; giving up
     * and an administrator's choice always say why).
     */
    static int convertedSince(List<Task> tasks, long since) {
        int n = 0;
        for (Task t : tasks) {
            for (int i = 1; i < t.history.size(); i++) {
                Task.StateChange c = t.history.get(i);
                if (c.at() >= since && c.state() == TaskState.PUBLISHING && c.why() == null
                        && t.history.get(i - 1).state() == TaskState.CONVERTING) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The share of tasks finished in the last 24 h that failed. */
    static Card failureRate(List<Task> tasks, long now) {
        long since = now - FAILURE_WINDOW.toMillis();
        long finished = tasks.stream().filter(t -> t.state.finished() && t.finishedAt >= since).count();
        long failed = tasks.stream().filter(t -> t.state == TaskState.FAILED && t.finishedAt >= since).count();
        if (finished == 0) {
            return new Card("Failures, last 24 h", "—", "no task finished", false);
        }
        return new Card("Failures, last 24 h", Math.round(100.0 * failed / finished) + " %",
                failed + " of " + finished + " finished tasks failed", failed > 0);
    }

    private static Row row(Task t) {
        String error = lastError(t);
        return new Row(t.id, t.sessionId, t.state.json(), t.state == TaskState.CONVERTING, t.progress, Formats.time(t.createdAt),
                Formats.shorten(error, 120), error);
    }

    /** What went wrong most recently: the task's error, else its last publish or conversion trouble. */
    static String lastError(Task t) {
        if (t.error != null) {
            return t.error;
        }
        if (t.lastPublishError != null) {
            return t.lastPublishError;
        }
        return t.lastConvertError;
    }
}
