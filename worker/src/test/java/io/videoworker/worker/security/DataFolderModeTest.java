package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recordings and keys live in folders other local users cannot enter, whatever the umask. */
class DataFolderModeTest {
    @TempDir
    Path data;

    @Test
    void foldersAWorkerCreatesArePrivate() throws Exception {
        try (Service service = TestRecordings.worker(data, Map.of())) {
            for (String dir : new String[] {"keys", "tasks", "replays"}) {
                assertThat(mode(data.resolve(dir))).as(dir).isEqualTo("rwx------");
            }
        }
    }

    @Test
    void anExistingFolderKeepsTheModeTheOperatorGaveIt() throws Exception {
        Path replays = Files.createDirectories(data.resolve("replays"));
        Files.setPosixFilePermissions(replays, PosixFilePermissions.fromString("rwxr-x---"));
        try (Service service = TestRecordings.worker(data, Map.of())) {
            assertThat(mode(replays)).isEqualTo("rwxr-x---");
            assertThat(mode(data.resolve("tasks"))).isEqualTo("rwx------");
        }
    }

    private static String mode(Path dir) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
    }
}
