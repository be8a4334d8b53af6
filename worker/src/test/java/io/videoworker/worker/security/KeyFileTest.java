package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The caller key a stand-alone worker generates on first start: private from its first byte, never logged. */
class KeyFileTest {
    @TempDir
    Path data;

    @Test
    void generatedCallerKeyIsPrivateWorksAndIsNotLogged() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("io.videoworker");
        Level before = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        try (Service service = TestRecordings.worker(data, Map.of())) {
            Path file = data.resolve("keys/access_keys");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            List<String> keys = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
            assertThat(keys).hasSize(1);
            String[] key = keys.get(0).split(":");
            assertThat(key[1]).hasSize(48);
            assertThat(new LionClient(service.port(), key[0], key[1]).status(UUID.randomUUID().toString()).status())
                    .as("the generated key is accepted").isEqualTo(404);
            try (var files = Files.list(data.resolve("keys"))) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left, the status page's token beside")
                        .containsExactlyInAnyOrder("access_keys", "admin_token");
            }
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("generated an access key for callers in"))
                    .noneMatch(m -> m.contains(key[1]));
        } finally {
            root.detachAppender(logs);
            ours.setLevel(before);
        }
    }

    /**
     * An operator's access_keys readable by others (0644 in a 0755 folder, reliability.md §5,
     * finding 23) was used silently. It is still used (refusing would stop a working site), with
     * one warning at start-up that says how to close it; a private one draws none.
     */
    @Test
    void aKeyFileOthersCanReadIsUsedWithOneWarningSayingHowToFixIt() throws Exception {
        Path keys = data.resolve("keys");
        Files.createDirectories(keys);
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = keys.resolve("access_keys");
        Files.writeString(file, "lion1:" + "s".repeat(32) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        try {
            try (Service service = TestRecordings.worker(data, Map.of())) {
                assertThat(new LionClient(service.port(), "lion1", "s".repeat(32)).status(UUID.randomUUID().toString()).status())
                        .as("the key still works").isEqualTo(404);
            }
            List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getFormattedMessage().contains("access_keys is open")).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(warnings.get(0).getFormattedMessage())
                    .isEqualTo("caller keys: " + file + " is open to other local users (file rw-r--r--, folder rwxr-xr-x): "
                            + "they could sign requests as any caller; fix: chmod 600 " + file)
                    .doesNotContain("s".repeat(32));

            logs.list.clear();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            try (Service service = TestRecordings.worker(data, Map.of())) {
                assertThat(service.port()).isPositive();
            }
            assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains("open to other local users"));

            Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwxrwxrwx"));
            try (Service service = TestRecordings.worker(data, Map.of())) {
                assertThat(service.port()).isPositive();
            }
            assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().endsWith("they could add a key; fix: chmod 700 " + keys));
        } finally {
            root.detachAppender(logs);
        }
    }
}
