package io.videoworker.worker.admin;

import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The task list's filters, from the page's query: a state, part of a session id (or a task id),
 * the day a task was created (UTC). A value that means nothing is dropped with a word on the page,
 * never an error. The list is newest first and at most {@link #ROWS} long.
 */
record TaskFilter(TaskState state, String session, LocalDate day, String problem) {
    static final int ROWS = 200;
    static final int MAX_TEXT = 100;

    static TaskFilter of(String state, String session, String date) {
        StringBuilder problem = new StringBuilder();
        TaskState s = null;
        if (state != null && !state.isBlank()) {
            s = Arrays.stream(TaskState.values()).filter(v -> v.json().equals(state.strip().toLowerCase(Locale.ROOT)))
                    .findFirst().orElse(null);
            if (s == null) {
                problem.append("unknown state ignored; ");
            }
        }
        String sid = session == null || session.isBlank() ? null : session.strip().toLowerCase(Locale.ROOT);
        if (sid != null && sid.length() > MAX_TEXT) {
            sid = sid.substring(0, MAX_TEXT);
        }
        LocalDate day = null;
        if (date != null && !date.isBlank()) {
            try {
                day = LocalDate.parse(date.strip());
            } catch (DateTimeParseException e) {
                problem.append("the date must be YYYY-MM-DD, ignored; ");
            }
        }
        return new TaskFilter(s, sid, day, problem.isEmpty() ? null : problem.substring(0, problem.length() - 2));
    }

    Predicate<Task> matches() {
        return t -> (state == null || t.state == state)
                && (session == null || t.sessionId != null && t.sessionId.contains(session) || t.id.contains(session))
                && (day == null || createdOn(t).equals(day));
    }

    /** The tasks that match, newest first. */
    List<Task> apply(List<Task> tasks) {
        return tasks.stream().filter(matches()).sorted(Comparator.comparingLong((Task t) -> t.createdAt).reversed()).toList();
    }

    private static LocalDate createdOn(Task t) {
        return Instant.ofEpochMilli(t.createdAt).atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** The query string that repeats these filters ("" when none), for the page's refresh. */
    String query() {
        StringBuilder q = new StringBuilder();
        if (state != null) {
            q.append("&state=").append(state.json());
        }
        if (session != null) {
            q.append("&session=").append(java.net.URLEncoder.encode(session, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (day != null) {
            q.append("&date=").append(day);
        }
        return q.isEmpty() ? "" : "?" + q.substring(1);
    }
}
