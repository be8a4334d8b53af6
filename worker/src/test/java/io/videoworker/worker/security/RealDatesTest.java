package io.videoworker.worker.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.LionClient;
import io.videoworker.worker.TestRecordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The day a replay is stored under comes from the caller (G2 session_date, G3 meta.date_start):
 * it must be a real day, not merely shaped like one (reliability.md §5, finding 19: G2
 * {@code session_date=2025-13-45} was published under {@code replays/2025-13-45/}).
 */
class RealDatesTest {
    static final String SID = "5e2d9c1b-7a3f-4b6e-8d0c-1f2e3a4b5c6d";

    @TempDir
    static Path data;
    static StandAloneWorker worker;

    @BeforeAll
    static void start() throws Exception {
        worker = new StandAloneWorker(data);
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    @Test
    void singleFileSessionDateMustBeARealDay() throws Exception {
        for (String day : List.of("2025-13-45", "2025-02-29", "2025-02-30", "2025-04-31", "2025-00-10", "2025-11-00")) {
            RawHttp.Reply r = worker.post("/api/v2/replay/sessions/" + SID + "/task/", "multipart/form-data; boundary="
                    + PathTraversalTest.BOUNDARY, PathTraversalTest.multipart(Map.of("session_id", SID, "session_date", day),
                    SID + ".replay.gz", TestRecordings.part(0xFF0000, 1_000, 2_000)));
            assertThat(r.status()).as(day + ": " + r.body()).isEqualTo(400);
            assertThat(r.error()).isEqualTo("field session_date '" + day + "' is not a date like 2025-11-18");
        }
        assertThat(published()).as("nothing published").isEmpty();
        assertThat(taskDirs()).as("no task created").isZero();

        // a leap day is real: accepted, converted, and stored under that day
        String sid = UUID.randomUUID().toString();
        byte[] gz = TestRecordings.part(0x00FF00, 1_000, 2_000);
        Path file = data.resolve(sid + ".replay.gz");
        Files.write(file, gz);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("session_id", sid);
        fields.put("session_date", "2024-02-29");
        fields.put("component_type", "lion");
        LionClient.Reply r = worker.lion.single(fields, file);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("session_date").asText()).isEqualTo("2024-02-29");
        assertThat(worker.lion.waitFor(r.json().path("id").asText(), "done", 60).path("state").asText()).isEqualTo("done");
        assertThat(published()).isNotEmpty().allMatch(p -> p.startsWith(data.resolve("replays/2024-02-29")));
    }

    @Test
    void taskMetaDateStartMustBeARealDate() throws Exception {
        long before = taskDirs();
        for (String field : List.of("date_start", "data_start")) {
            for (String date : List.of("2025-13-45 02:00:00 +0000", "2025-02-30 02:00:00 +0000", "2025/02/30 02:00:00 +0000",
                    "2025-02-30T02:00:00Z", "2025-11-18 24:00:00 +0000", "2025-11-18 02:60:00 +0000")) {
                ObjectNode body = StandAloneWorker.task(SID);
                ObjectNode meta = (ObjectNode) body.get("meta");
                meta.remove("date_start");
                meta.put(field, date);
                RawHttp.Reply r = worker.post("/api/v2/replay/sessions/" + SID + "/task/", "application/json",
                        body.toString().getBytes());
                assertThat(r.status()).as(field + " " + date + ": " + r.body()).isEqualTo(400);
                assertThat(r.json().path("id").asText()).isEmpty();
                assertThat(r.error()).isEqualTo("meta." + field + " '" + date + "' is not a date like 2025-11-18 02:00:00 +0000");
            }
        }
        assertThat(taskDirs()).as("no task created").isEqualTo(before);
        ObjectNode leap = StandAloneWorker.task(SID);
        ((ObjectNode) leap.get("meta")).put("date_start", "2024-02-29 23:30:00 +0000");
        RawHttp.Reply ok = worker.post("/api/v2/replay/sessions/" + SID + "/task/", "application/json", leap.toString().getBytes());
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().path("id").asText()).isNotEmpty();
    }

    static List<Path> published() throws Exception {
        try (Stream<Path> s = Files.walk(data.resolve("replays"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static long taskDirs() throws Exception {
        try (Stream<Path> s = Files.list(data.resolve("tasks"))) {
            return s.filter(p -> !p.getFileName().toString().equals("by-session")).count();
        }
    }
}
