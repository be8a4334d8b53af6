package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.Service;
import io.videoworker.worker.TestRecordings;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal whose replay storage is "sftp": published through core's server storage, as Lion and
 * Koko do (core never plays from SFTP), unless VIDEO_WORKER_SFTP_REPLAY=direct asks for the SFTP
 * server. A real SFTP server is running either way, so "nothing went there" could fail.
 */
class SftpReplayStorageTest {
    @TempDir
    Path tmp;
    SimulatedCore core;
    SshServer sftp;
    Path sftpRoot;
    Service service;
    LionClient lion;

    @BeforeEach
    void start() throws Exception {
        sftpRoot = Files.createDirectories(tmp.resolve("sftp-root"));
        sftp = SshServer.setUpDefaultServer();
        sftp.setHost("127.0.0.1");
        sftp.setPort(0);
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider();
        hostKey.setAlgorithm(KeyUtils.EC_ALGORITHM);
        sftp.setKeyPairProvider(hostKey);
        sftp.setPasswordAuthenticator((user, password, session) -> "alice".equals(user) && "pa55-w0rd".equals(password));
        sftp.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        sftp.setFileSystemFactory(new VirtualFileSystemFactory(sftpRoot));
        sftp.start();
        core = new SimulatedCore();
        ObjectNode c = SimulatedCore.JSON.createObjectNode();
        c.put("TYPE", "sftp").put("SFTP_HOST", "127.0.0.1").put("SFTP_PORT", sftp.getPort()).put("SFTP_USERNAME", "alice")
                .put("STP_SECRET_TYPE", "password").put("SFTP_PASSWORD", "pa55-w0rd").putNull("STP_PRIVATE_KEY")
                .putNull("STP_PASSPHRASE").put("SFTP_ROOT_PATH", "/replays");
        core.replayStorage = c;
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        core.close();
        sftp.stop(true);
    }

    void startWorker(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("CORE_HOST", core.url(), "BOOTSTRAP_TOKEN", core.bootstrapToken));
        env.putAll(extra);
        service = TestRecordings.worker(tmp.resolve("data"), env);
        String[] caller = core.addCaller();
        lion = new LionClient(service.port(), caller[0], caller[1]);
    }

    /** One part, uploaded; returns the task id once it is done. */
    String convert(String sid) throws Exception {
        byte[] p0 = TestRecordings.part(0xFF0000, 10_000, 11_000);
        String id = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 10_000L, 11_000L, TestRecordings.sha256(p0)}))).json().path("id").asText();
        assertThat(lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(p0)).json().path("ok").asBoolean())
                .isTrue();
        JsonNode s = lion.waitFor(id, "done", 60);
        assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("done");
        return id;
    }

    List<String> sftpFiles() throws Exception {
        try (Stream<Path> s = Files.walk(sftpRoot)) {
            return s.filter(Files::isRegularFile).map(p -> sftpRoot.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void anSftpReplayStorageIsPublishedThroughCoreAndTheTaskLogSaysWhy() throws Exception {
        startWorker(Map.of());
        String sid = UUID.randomUUID().toString();
        String id = convert(sid);
        assertThat(core.replays).extracting(SimulatedCore.Replay::name).containsExactly(sid + ".0.part.mp4", sid + ".replay.json");
        assertThat(core.replays).extracting(SimulatedCore.Replay::version).containsOnly("5");
        assertThat(sftpFiles()).as("nothing on the SFTP server, which core never reads").isEmpty();
        JsonNode patch = SimulatedCore.JSON.readTree(core.calls("PATCH", "/api/v1/terminal/sessions/" + sid + "/").get(0).body());
        assertThat(patch.path("has_replay").asBoolean()).isTrue();
        assertThat(core.events(sid)).containsExactly("replay_convert_start", "replay_convert_success",
                "replay_upload_start", "replay_upload_success");
        assertThat(Files.readString(tmp.resolve("data/tasks/" + id + "/task.log")))
                .contains("replay storage type is 'sftp': publishing to core's server storage")
                .contains("core cannot play replays from SFTP");
        assertThat(Files.readString(tmp.resolve("data/tasks/" + id + "/task.json"))).contains("\"storage\" : \"server\"");
    }

    @Test
    void sftpDirectUploadsToTheSftpServerOnlyWhenAskedFor() throws Exception {
        startWorker(Map.of("VIDEO_WORKER_SFTP_REPLAY", "direct"));
        String sid = UUID.randomUUID().toString();
        String id = convert(sid);
        assertThat(core.replays).isEmpty();
        assertThat(sftpFiles()).containsExactly("replays/2025-11-18/" + sid + "/" + sid + ".0.part.mp4",
                "replays/2025-11-18/" + sid + "/" + sid + ".replay.json");
        assertThat(Files.readString(tmp.resolve("data/tasks/" + id + "/task.log")))
                .contains("publishing to SFTP as VIDEO_WORKER_SFTP_REPLAY=direct asks");
    }
}
