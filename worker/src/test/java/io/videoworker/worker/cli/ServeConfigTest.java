package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeConfigTest {
    @TempDir
    Path dir;

    @Test
    void invalidConfigurationStopsStartUpWithOneClearLine() throws Exception {
        assertThat(refused("HTTPD_PORT=ninety")).contains("HTTPD_PORT").contains("ninety");
    }

    @Test
    void aShortAdministratorTokenStopsStartUpWithOneClearLine() throws Exception {
        assertThat(refused("VIDEO_WORKER_ADMIN_TOKEN=letmein-please"))
                .contains("VIDEO_WORKER_ADMIN_TOKEN must be at least 16 characters, got 14").doesNotContain("letmein-please");
    }

    /** {@code serve} with this line in config.txt: exit 2, one line on stderr (returned), nothing created. */
    private String refused(String line) throws Exception {
        Path f = dir.resolve("config.txt");
        Files.writeString(f, line + "\nDATA_DIR=" + dir.resolve("data") + "\n");
        Cli r = Cli.run("serve", "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(Files.exists(dir.resolve("data"))).as("nothing created").isFalse();
        return r.err();
    }
}
