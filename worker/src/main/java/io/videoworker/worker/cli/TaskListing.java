package io.videoworker.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.SpoolView.TaskFolder;
import io.videoworker.worker.spool.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code tasks list}: one line (or one JSON object) per task. */
final class TaskListing {
    private static final String ROW = "%-36s  %-36s  %-10s  %4s  %6s  %6s  %4s  %s";

    private TaskListing() {
    }

    static List<String> table(List<TaskFolder> tasks, long now) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(ROW, "TASK", "SESSION", "STATE", "PROG", "IN", "OUT", "AGE", "LAST ERROR").stripTrailing());
        for (TaskFolder f : tasks) {
            Task t = f.task();
            lines.add(String.format(ROW, t.id, t.sessionId, t.state.json(), t.progress + "%", size(f.inputBytes()),
                    size(f.outputBytes()), age(now - t.createdAt), shorten(lastError(t), 60)).stripTrailing());
        }
        return lines;
    }

    static String json(List<TaskFolder> tasks) throws JsonProcessingException {
        ArrayNode a = Spool.JSON.createArrayNode();
        for (TaskFolder f : tasks) {
            Task t = f.task();
            ObjectNode o = a.addObject();
            o.put("id", t.id);
            o.put("session_id", t.sessionId);
            o.put("state", t.state.json());
            o.put("progress", t.progress);
            o.put("input_bytes", f.inputBytes());
            o.put("output_bytes", f.outputBytes());
            o.put("created", time(t.createdAt));
            o.put("updated", time(t.updatedAt));
            o.put("finished", time(t.finishedAt));
            o.put("last_error", lastError(t));
        }
        return Spool.JSON.writeValueAsString(a);
    }

    /** What went wrong last: the task's error, else the last publishing or conversion trouble; null when none. */
    static String lastError(Task t) {
        for (String e : new String[] {t.error, t.lastPublishError, t.lastConvertError}) {
            if (e != null && !e.isBlank()) {
                return e;
            }
        }
        return null;
    }

    /** ISO-8601 (UTC), or null for a time not reached (0). */
    static String time(long epochMs) {
        return epochMs > 0 ? Instant.ofEpochMilli(epochMs).toString() : null;
    }

    /** 1536 → 1.5K: what fits a column. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        double v = bytes;
        String units = "KMGTP";
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f%c" : "%.0f%c", v, units.charAt(u));
    }

    /** 45s, 3m, 2h, 5d: the largest unit that is at least 1 (hours up to two days). */
    static String age(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    /** First line only, at most {@code max} characters. */
    static String shorten(String s, int max) {
        if (s == null) {
            return "";
        }
        String line = s.strip().lines().findFirst().orElse("");
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }
}
