package io.videoworker.worker.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything one task did, one timestamped line per event, in {@code tasks/<id>/task.log}. */
public final class TaskLog {
    private static final Logger LOG = LoggerFactory.getLogger(TaskLog.class);
    private final Path file;

    TaskLog(Path file) {
        this.file = file;
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

    private void write(String level, String message) {
        String task = file.getParent().getFileName().toString();
        switch (level) {
            case "ERROR" -> LOG.error("task {}: {}", task, message);
            case "WARN" -> LOG.warn("task {}: {}", task, message);
            default -> LOG.info("task {}: {}", task, message);
        }
        try {
            Files.writeString(file, Instant.now() + " " + level + " " + message + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("task {}: cannot write task.log: {}", task, e.getMessage());
        }
    }
}
