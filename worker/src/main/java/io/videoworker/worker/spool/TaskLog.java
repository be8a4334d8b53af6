package io.videoworker.worker.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Everything one task did, one timestamped line per event, in {@code tasks/<id>/task.log}; each
 * line also goes to the service log with the task and session ids (MDC keys {@code task} and
 * {@code session}), so an operator can find a session's lines in either.
 */
public final class TaskLog {
    private static final Logger LOG = LoggerFactory.getLogger(TaskLog.class);
    private final Path file;
    private final String task;
    private final String session;

    TaskLog(Path file, String task, String session) {
        this.file = file;
        this.task = task;
        this.session = session;
    }

    public void info(String message) {
        write("INFO", message);
    }

    public void warn(String message) {
        write("WARN", message);
    }

    public void error(String message) {
        write("ERROR", message);
    }

    /** The MDC keys {@code task} and {@code session} set for a scope, as they were again after it. */
    public static Tag tag(String task, String session) {
        return new Tag(task, session);
    }

    /** See {@link #tag}. */
    public static final class Tag implements AutoCloseable {
        private final String oldTask = MDC.get("task");
        private final String oldSession = MDC.get("session");

        private Tag(String task, String session) {
            MDC.put("task", task);
            MDC.put("session", session);
        }

        @Override
        public void close() {
            restore("task", oldTask);
            restore("session", oldSession);
        }

        private static void restore(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }

    private void write(String level, String message) {
        try (Tag ids = tag(task, session)) {
            switch (level) {
                case "ERROR" -> LOG.error(message);
                case "WARN" -> LOG.warn(message);
                default -> LOG.info(message);
            }
            try {
                Files.writeString(file, Instant.now() + " " + level + " " + message + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.warn("cannot write task.log: {}", e.getMessage());
            }
        }
    }
}
