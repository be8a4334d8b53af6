package io.videoworker.worker.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.videoworker.worker.api.ApiServer;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the API (or another class) logs while a test runs: its lines, to check one line per refused
 * request and no stack trace.
 */
final class ApiLog implements AutoCloseable {
    private final Logger logger;
    private final Level before;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    ApiLog() {
        this(ApiServer.class);
    }

    /** The lines of {@code source}'s logger (a package name takes all of its classes). */
    ApiLog(Class<?> source) {
        this(source.getName());
    }

    ApiLog(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        before = logger.getLevel();
        if (!logger.isInfoEnabled()) { // the tests' default is WARN; logins and generated keys are INFO
            logger.setLevel(Level.INFO);
        }
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
        logger.setLevel(before);
    }
}
