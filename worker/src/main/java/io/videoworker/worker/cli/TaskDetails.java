package io.videoworker.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.SpoolView.Found;
import io.videoworker.worker.spool.SpoolView.TaskFolder;
import io.videoworker.worker.spool.Task;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code tasks show}: everything worth knowing about one task, and the end of its task.log. */
final class TaskDetails {
    /** How much of a task.log is read for its last lines: a log is small, but a tool must not read a huge one whole. */
    private static final long TAIL_BYTES = 1 << 20;

    private TaskDetails() {
    }

    static List<String> text(Found found, int logLines, long now) {
        TaskFolder f = found.task();
        Task t = f.task();
        List<String> out = new ArrayList<>();
        out.add(field("task", t.id + (t.kind == Task.Kind.SINGLE ? " (one recording, G2)" : " (Lion parts, G3)")));
        out.add(field("session", t.sessionId + recording(t)));
        out.add(field("state", t.state.json() + ", " + t.progress + "%"));
        out.add(field("created", when(t.createdAt, now)));
        out.add(field("updated", when(t.updatedAt, now)));
        if (t.lastUploadAt > 0) {
            out.add(field("last upload", when(t.lastUploadAt, now)));
        }
        if (t.queuedAt > 0) {
            out.add(field("queued", when(t.queuedAt, now)));
        }
        if (t.finishedAt > 0) {
            out.add(field("finished", when(t.finishedAt, now)));
        }
        if (t.nextAttemptAt > 0 && !t.state.finished()) {
            out.add(field("next try", when(t.nextAttemptAt, now)));
        }
        out.add(field("attempts", "conversion " + t.attempts + ", publishing " + t.publishAttempts
                + (t.diskWaits > 0 ? ", waited for disk space " + t.diskWaits + " time(s)" : "")
                + (t.outOfRoomRuns > 0 ? ", " + t.outOfRoomRuns + " run(s) filled the disk" : "")
                + (t.internalErrors > 0 ? ", " + t.internalErrors + " internal error(s)" : "")));
        if (t.error != null) {
            out.add(field("error", t.error + (t.errorReason != null ? " (" + t.errorReason + ")" : "")));
        }
        if (t.lastConvertError != null) {
            out.add(field("convert", "last trouble: " + t.lastConvertError));
        }
        if (t.lastPublishError != null) {
            out.add(field("publish", "last error: " + t.lastPublishError
                    + (t.firstPublishFailureAt > 0 ? " (failing since " + when(t.firstPublishFailureAt, now) + ")" : "")));
        }
        if (t.width > 0 || t.height > 0 || t.maxFrame > 0) {
            out.add(field("settings", t.width + "x" + t.height + (t.maxFrame > 0 ? ", max frame rate " + t.maxFrame : "")));
        }
        long received = t.files.stream().filter(p -> p.received).count();
        out.add(field("input", t.files.size() + " file(s), " + received + " received, " + TaskListing.size(f.inputBytes())));
        for (int i = 0; i < t.files.size(); i++) {
            PartFile p = t.files.get(i);
            long bytes = f.partBytes(p);
            out.add(String.format("  %2d  %s  %s  %s%s", i, p.name, bytes > 0 ? TaskListing.size(bytes) : "-",
                    p.received ? "received" : "waiting", p.checksum != null && !p.checksum.isEmpty() ? "  sha256 " + p.checksum : ""));
        }
        if (!t.published.isEmpty()) {
            out.add(field("published", t.published.size() + " object(s), " + TaskListing.size(t.publishedBytes)
                    + (t.sessionDate != null ? " (storage day " + t.sessionDate + ")" : "")));
            t.published.forEach(k -> out.add("      " + k));
        } else {
            out.add(field("output", TaskListing.size(f.outputBytes()) + " in out/, nothing published yet"));
        }
        out.add(field("folder", f.dir().toString()));
        out.add(field("log", f.log().toString()));
        if (!found.older().isEmpty()) {
            out.add("older tasks of this session (this one supersedes them):");
            for (TaskFolder o : found.older()) {
                out.add("      " + o.task().id + "  " + o.task().state.json() + ", created " + when(o.task().createdAt, now));
            }
        }
        if (logLines > 0) {
            List<String> tail = tail(f.log(), logLines);
            out.add("");
            out.add(tail == null ? "task.log: none yet"
                    : "task.log" + (logLines == Integer.MAX_VALUE ? ":" : " (last " + tail.size() + " lines):"));
            if (tail != null) {
                out.addAll(tail);
            }
        }
        return out;
    }

    /** The task as task.json holds it, plus its folder, its log and the older tasks of its session. */
    static String json(Found found) throws JsonProcessingException {
        TaskFolder f = found.task();
        ObjectNode o = Spool.JSON.valueToTree(f.task());
        o.remove("storageConfigSealed"); // sealed storage credentials: nothing to read there
        o.put("dir", f.dir().toString());
        o.put("log", f.log().toString());
        ArrayNode older = o.putArray("olderTasks");
        found.older().forEach(t -> older.add(t.task().id));
        return Spool.JSON.writeValueAsString(o);
    }

    private static String field(String label, String value) {
        return String.format("%-11s %s", label, value);
    }

    /** ", user admin, asset win-01, protocol rdp" from what Lion sent. */
    private static String recording(Task t) {
        StringBuilder sb = new StringBuilder();
        if (t.meta != null) {
            for (String k : new String[] {"user", "asset", "protocol", "date_start"}) {
                JsonNode v = t.meta.get(k);
                if (v != null && v.isTextual() && !v.asText().isBlank()) {
                    sb.append(sb.length() == 0 ? " (" : ", ").append(k.replace('_', ' ')).append(' ').append(v.asText());
                }
            }
        } else if (t.componentType != null && !t.componentType.isBlank()) {
            sb.append(" (from ").append(t.componentType);
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    private static String when(long epochMs, long now) {
        String iso = TaskListing.time(epochMs);
        long d = now - epochMs;
        return iso + (d >= 0 ? " (" + TaskListing.age(d) + " ago)" : " (in " + TaskListing.age(-d) + ")");
    }

    /** The last {@code n} lines of the file, or null when there is no file. */
    private static List<String> tail(Path log, int n) {
        String text;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = n == Integer.MAX_VALUE ? 0 : Math.max(0, f.length() - TAIL_BYTES);
            byte[] b = new byte[(int) Math.min(f.length() - from, Integer.MAX_VALUE - 8)];
            f.seek(from);
            f.readFully(b);
            text = new String(b, StandardCharsets.UTF_8);
            if (from > 0) {
                text = text.substring(text.indexOf('\n') + 1); // the first line read may be cut
            }
        } catch (IOException e) {
            return Files.exists(log) ? List.of("(cannot read: " + e.getMessage() + ")") : null;
        }
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
