package io.videoworker.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreJumpServers() throws Exception {
        WorkerConfig c = WorkerConfig.load(null, Map.of());
        assertThat(c.standalone()).isTrue();
        assertThat(c.bindHost()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.logLevel()).isEqualTo("INFO");
        assertThat(c.effectiveWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors() + 1);
        assertThat(c.cleanPeriodDays()).isEqualTo(7);
        assertThat(c.ignoreVerifyCerts()).isFalse();
        assertThat(c.name()).matches("\\[Video]-.+-[a-z0-9]{7}");
        assertThat(c.taskExpiry().toMinutes()).isEqualTo(60);
    }

    @Test
    void environmentWinsOverTheFileAndEmptyMeansUnset() throws Exception {
        Path f = dir.resolve("config.txt");
        Files.writeString(f, "# comment\nHTTPD_PORT=9100\nLOG_LEVEL=debug\nNAME=\"from-file\"\nVIDEO_WORKER_COUNT=4\n\nCORE_HOST=http://core:8080/\n");
        WorkerConfig c = WorkerConfig.load(f, Map.of("HTTPD_PORT", "9200", "VIDEO_WORKER_COUNT", ""));
        assertThat(c.port()).isEqualTo(9200);
        assertThat(c.logLevel()).isEqualTo("DEBUG");
        assertThat(c.name()).isEqualTo("from-file");
        assertThat(c.workerCount()).isEqualTo(4);
        assertThat(c.coreHost()).isEqualTo("http://core:8080");
        assertThat(c.standalone()).isFalse();
    }

    @Test
    void invalidValuesNameTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("HTTPD_PORT", "http")))
                .hasMessage("HTTPD_PORT must be a whole number from 1 to 65535, not 'http'");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_SECRET_KEY", "short")))
                .hasMessageContaining("VIDEO_WORKER_SECRET_KEY must be exactly 32 characters");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("IGNORE_VERIFY_CERTS", "maybe")))
                .hasMessageContaining("IGNORE_VERIFY_CERTS must be true or false");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("LOG_LEVEL", "LOUD"))).hasMessageContaining("LOG_LEVEL");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("CORE_HOST", "core:8080"))).hasMessageContaining("CORE_HOST");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_CLEAN_PERIOD", "-1")))
                .hasMessageContaining("VIDEO_WORKER_CLEAN_PERIOD");
    }

    @Test
    void malformedFileLineIsReportedWithItsNumber() throws Exception {
        Path f = dir.resolve("config.txt");
        Files.writeString(f, "NAME=x\nthis line is wrong\n");
        assertThatThrownBy(() -> WorkerConfig.load(f, Map.of())).hasMessageContaining("line 2");
    }
    @Test
    void clusterModeTakesBothUrlFormsAndNeverShowsThePassword() throws Exception {
        String key = "k".repeat(32);
        WorkerConfig one = WorkerConfig.load(null, Map.of());
        assertThat(one.clustered()).isFalse();
        assertThat(one.nodeKeysDir()).isEqualTo(one.keysDir());

        WorkerConfig c = WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "postgres://vw:p%40ss+word@db.example:5433/videoworker?sslmode=require",
                "VIDEO_WORKER_SECRET_KEY", key, "NAME", "[Video]-node 1"));
        assertThat(c.clustered()).isTrue();
        assertThat(c.cluster().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/videoworker?sslmode=require");
        assertThat(c.cluster().user()).isEqualTo("vw");
        assertThat(c.cluster().password()).isEqualTo("p@ss+word");
        assertThat(c.cluster().lease().toSeconds()).isEqualTo(60);
        assertThat(c.describe() + c + c.cluster()).contains("as vw").doesNotContain("p@ss");
        assertThat(c.nodeKeysDir()).isEqualTo(c.keysDir().resolve("nodes").resolve("_Video_-node_1"));

        WorkerConfig j = WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "jdbc:postgresql://db:5432/vw",
                "VIDEO_WORKER_DB_USER", "worker", "VIDEO_WORKER_DB_PASSWORD", "pw", "VIDEO_WORKER_SECRET_KEY", key,
                "VIDEO_WORKER_DB_LEASE_SECONDS", "15"));
        assertThat(j.cluster().user()).isEqualTo("worker");
        assertThat(j.cluster().lease().toSeconds()).isEqualTo(15);

        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "jdbc:postgresql://db:5432/vw")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs VIDEO_WORKER_SECRET_KEY");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_USER", "worker")))
                .hasMessageContaining("VIDEO_WORKER_DB_URL is not");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "mysql://db/vw", "VIDEO_WORKER_SECRET_KEY", key)))
                .hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "postgres://u:secret@db", "VIDEO_WORKER_SECRET_KEY", key)))
                .hasMessageContaining("name a host and a database").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> WorkerConfig.load(null, Map.of("VIDEO_WORKER_DB_URL", "jdbc:postgresql://db/vw", "VIDEO_WORKER_SECRET_KEY", key,
                "VIDEO_WORKER_DB_LEASE_SECONDS", "2"))).hasMessageContaining("VIDEO_WORKER_DB_LEASE_SECONDS");
    }
}
