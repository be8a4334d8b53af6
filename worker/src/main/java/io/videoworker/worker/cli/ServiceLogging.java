package io.videoworker.worker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * The service's log: on stdout (where {@code docker logs} and journald look), one line per event
 * with an ISO-8601 date and time and, on a task's lines, its task and session ids; or, with
 * {@code LOG_FORMAT=json}, one JSON object per line for log shippers (@timestamp, level, message,
 * task, session, stack_trace). {@code convert} keeps logback.xml's stderr lines: its stdout may
 * carry --json.
 */
final class ServiceLogging {
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: "
            + "%replace([task=%X{task} session=%X{session}] ){'\\[task= session=\\] ', ''}%msg%n";

    private ServiceLogging() {
    }

    static void configure(String level, String format) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Encoder<ILoggingEvent> encoder;
        if (format.equals("json")) {
            LogstashEncoder json = new LogstashEncoder();
            json.setIncludeMdcKeyNames(List.of("task", "session"));
            json.setIncludeContext(false);
            json.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(TEXT_PATTERN);
            encoder = text;
        }
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(ctx);
        out.setName("STDOUT");
        out.setTarget("System.out");
        out.setEncoder(encoder);
        out.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(out);
        root.setLevel(Level.WARN);
        ctx.getLogger("io.videoworker").setLevel(Level.toLevel(level, Level.INFO));
        // cluster mode: the pool reports each connection a database outage breaks, with its stack
        // trace; Database says it once, in one line (an expected condition is never a stack trace)
        ctx.getLogger("com.zaxxer.hikari").setLevel(Level.ERROR);
    }
}
