package io.videoworker.worker.security;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.videoworker.worker.api.ApiServer;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What the API logs while a test runs: its lines, to check one line per refused request and no stack trace. */
final class ApiLog implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ApiServer.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    ApiLog() {
        appender.start();
        logger.addAppender(appender);
    }

    /** Lines so far that contain {@code fragment}. */
    List<ILoggingEvent> about(String fragment) {
        return all().stream().filter(e -> e.getFormattedMessage().contains(fragment)).toList();
    }

    List<ILoggingEvent> all() {
        synchronized (appender) { // the appender appends under this lock
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
