package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import io.videoworker.worker.WorkerProcess;
import io.videoworker.worker.config.Setting;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator reads: dated lines with task and session ids, JSON for shippers, a word on SIGTERM. */
class ServeLogsTest {
    private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)";

    @TempDir
    Path dir;

    /** Creates a task, uploads its part, waits until it is done; returns {task id, session id}. */
    private static String[] convertOne(WorkerProcess w) throws Exception {
        LionClient lion = w.lion();
        String sid = UUID.randomUUID().toString();
        byte[] part = TestRecordings.part(0xCC3366, 1_000, 2_000);
        String id = lion.createTask(sid, LionClient.taskBody(sid, List.<Object[]>of(
                new Object[] {sid + ".0.part.gz", 1_000L, 2_000L, TestRecordings.sha256(part)}))).json().path("id").asText();
        lion.upload(id, 0, sid + ".0.part.gz", HttpRequest.BodyPublishers.ofByteArray(part));
        assertThat(lion.waitFor(id, "done", 60).path("state").asText()).isEqualTo("done");
        return new String[] {id, sid};
    }

    @Test
    void textLinesAreDatedAndCarryTheTaskAndSessionAndSigtermIsLogged() throws Exception {
        List<String> lines;
        String[] ids;
        try (WorkerProcess w = new WorkerProcess(dir.resolve("data"), Map.of())) {
            w.start();
            ids = convertOne(w);
            w.stop(); // SIGTERM
            assertThat(w.exitCode()).as("a clean stop").isIn(0, 143);
            lines = Files.readAllLines(w.log());
        }
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches(ISO + " (INFO |WARN |ERROR|DEBUG) \\S+: .*"), "dated");
        assertThat(lines.get(0)).matches(".*video-worker \\S+ starting: mode stand-alone \\(local storage\\), data dir "
                + java.util.regex.Pattern.quote(dir.resolve("data").toString()) + ", listen 127\\.0\\.0\\.1:\\d+, 1 conversions at once");
        String tag = "[task=" + ids[0] + " session=" + ids[1] + "] ";
        assertThat(lines).anyMatch(l -> l.contains(tag + "part 0 (" + ids[1] + ".0.part.gz) received"))
                .anyMatch(l -> l.contains(tag + "converted in "));
        assertThat(lines).filteredOn(l -> l.contains("ServeCommand: stopping")).hasSize(1);
        assertThat(lines.get(lines.size() - 1)).endsWith("ServeCommand: stopped");
    }

    @Test
    void jsonFormatIsOneObjectPerLineWithTheIds() throws Exception {
        List<String> lines;
        String[] ids;
        try (WorkerProcess w = new WorkerProcess(dir.resolve("data"), Map.of("LOG_FORMAT", "json"))) {
            w.start();
            ids = convertOne(w);
            w.stop();
            lines = Files.readAllLines(w.log());
        }
        ObjectMapper json = new ObjectMapper();
        boolean sawTask = false;
        for (String l : lines) {
            JsonNode o = json.readTree(l);
            assertThat(o.path("@timestamp").asText()).as(l).matches(ISO);
            assertThat(o.path("level").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
            assertThat(o.has("message")).isTrue();
            if (o.path("message").asText().startsWith("part 0 (")) {
                assertThat(o.path("task").asText()).isEqualTo(ids[0]);
                assertThat(o.path("session").asText()).isEqualTo(ids[1]);
                sawTask = true;
            }
        }
        assertThat(sawTask).as("a task line with its ids").isTrue();
    }

    @Test
    void serveHelpListsEveryConfigurationKey() {
        Cli r = Cli.run("serve", "--help");
        assertThat(r.exit()).isZero();
        for (Setting s : Setting.values()) {
            assertThat(r.out()).contains("  " + s.name() + " ");
        }
        assertThat(r.out()).contains("HTTPD_PORT").contains("(9000)");
    }
}
