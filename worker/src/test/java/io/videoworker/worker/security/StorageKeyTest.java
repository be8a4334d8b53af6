package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.core.CoreClient;
import io.videoworker.worker.core.CoreStorage;
import io.videoworker.worker.publish.LocalStorage;
import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.Storages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every replay storage (each external TYPE, local, core's server storage) refuses a key that
 * could leave its root, before any connection or file is made. The endpoints point at a closed
 * local port: a storage that forgot the check would fail differently (cannot connect).
 */
class StorageKeyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SID = "77993207-ccb2-5332-bda2-4586e24c3166";

    @TempDir
    Path dir;

    static List<String> hostileKeys() {
        return List.of("", ".", "..", "../x", "./a", "a/.", "a/..", "a/../../x", "2025-11-18/../../../../tmp/pwned",
                "/etc/passwd", "/", "a//b", "2025-11-18/", "a\\b", "..\\..\\x", "C:\\x", "a\u0000b", "a\nb", "a\rb",
                "a\u007fb", "x".repeat(10_000));
    }

    /** A valid-looking config per JumpServer TYPE; a TYPE added to Storages.EXTERNAL must be added here. */
    Map<String, ObjectNode> configs(int closedPort) {
        String local = "http://127.0.0.1:" + closedPort;
        Map<String, ObjectNode> m = new LinkedHashMap<>();
        for (String t : List.of("s3", "ceph", "swift", "cos", "oss", "obs")) {
            m.put(t, JSON.createObjectNode().put("TYPE", t).put("BUCKET", "replays").put("ACCESS_KEY", "AK")
                    .put("SECRET_KEY", "SK").put("ENDPOINT", local));
        }
        m.put("azure", JSON.createObjectNode().put("TYPE", "azure").put("ACCOUNT_NAME", "acct").put("CONTAINER_NAME", "replays")
                .put("ACCOUNT_KEY", "c2VjcmV0").put("ENDPOINT_SUFFIX", "example.invalid"));
        m.put("sftp", JSON.createObjectNode().put("TYPE", "sftp").put("SFTP_HOST", "127.0.0.1").put("SFTP_PORT", closedPort)
                .put("SFTP_USERNAME", "u").put("STP_SECRET_TYPE", "password").put("SFTP_PASSWORD", "p")
                .put("SFTP_ROOT_PATH", "/replays"));
        return m;
    }

    @Test
    void everyStorageRefusesKeysThatCouldLeaveItsRoot() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, ObjectNode> configs = configs(closed);
        assertThat(configs.keySet()).as("every external storage type is covered").isEqualTo(Storages.EXTERNAL.keySet());
        Map<String, ReplayStorage> storages = new LinkedHashMap<>();
        configs.forEach((type, cfg) -> storages.put(type, Storages.EXTERNAL.get(type).apply(cfg)));
        Path replays = Files.createDirectories(dir.resolve("data/replays"));
        storages.put("local", new LocalStorage(replays));
        storages.put("server (core)", new CoreStorage(new CoreClient("http://127.0.0.1:" + closed, false)));

        Path file = Files.writeString(dir.resolve("f.mp4"), "mp4");
        for (var e : storages.entrySet()) {
            for (String key : hostileKeys()) {
                String what = e.getKey() + " key " + key.substring(0, Math.min(40, key.length()));
                assertThatThrownBy(() -> e.getValue().put(key, file)).as(what).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("refusing storage key");
                assertThatThrownBy(() -> e.getValue().delete(key)).as(what).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("refusing storage key");
            }
            if (e.getValue() instanceof AutoCloseable c) {
                c.close();
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(Files::isRegularFile)).containsExactly(file);
        }
    }

    @Test
    void localStorageStillTakesJumpServersKeys() throws Exception {
        Path replays = Files.createDirectories(dir.resolve("replays"));
        LocalStorage local = new LocalStorage(replays);
        Path file = Files.writeString(dir.resolve("f.mp4"), "mp4");
        String key = "2025-11-18/" + SID + "/" + SID + ".0.part.mp4";
        local.put(key, file);
        assertThat(replays.resolve(key)).hasContent("mp4");
        local.delete(key);
        assertThat(replays.resolve(key)).doesNotExist();
    }

    @Test
    void coreStorageOnlyPutsSessionFilesIntoCoresUrl() {
        CoreStorage core = new CoreStorage(new CoreClient("http://127.0.0.1:9", false));
        Path file = dir.resolve("f.mp4");
        assertThatThrownBy(() -> core.put("2025-11-18/users/profile.replay.mp4", file))
                .hasMessageContaining("does not start with a session id");
        assertThatThrownBy(() -> core.put("2025-11-18/%2e%2e%2fapi.replay.mp4", file))
                .hasMessageContaining("does not start with a session id");
    }
}
