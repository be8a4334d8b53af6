package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import io.videoworker.worker.TestRecordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input forms of `convert`: Lion parts in any argument order, gaps, replay.json directories, --per-part. */
class ConvertInputsTest {
    static final String SID = "0b7c2a8e-1111-4222-8333-944455556666";

    @TempDir
    Path dir;

    private Path write(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    private int colourAt(Path recordingArgs, long ms, Path... inputs) throws IOException {
        Path png = dir.resolve("snap-" + ms + ".png");
        String[] args = new String[inputs.length + 5];
        args[0] = "convert";
        for (int i = 0; i < inputs.length; i++) {
            args[i + 1] = inputs[i].toString();
        }
        args[inputs.length + 1] = "--snapshot";
        args[inputs.length + 2] = String.valueOf(ms);
        args[inputs.length + 3] = "-o";
        args[inputs.length + 4] = png.toString();
        Cli r = Cli.run(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return ImageIO.read(png.toFile()).getRGB(32, 24) & 0xFFFFFF;
    }

    @Test
    void partsPlayInPartNumberOrderWithGapsOnOneTimeline() throws IOException {
        Path p0 = write(SID + ".0.part.gz", TestRecordings.part(0xFF0000, 10_000, 12_000));
        Path p2 = write(SID + ".2.part.gz", TestRecordings.part(0x00FF00, 12_200, 14_000));
        Path p10 = write(SID + ".10.part.gz", TestRecordings.part(0x0000FF, 14_300, 16_000));
        Path out = dir.resolve("joined.mp4");
        Cli r = Cli.run("convert", p10.toString(), p0.toString(), p2.toString(), "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.path("duration_ms").asLong()).isEqualTo(5800); // last sync 15800 - first 10000
        assertThat(json.path("frames").asLong()).as("3 pictures plus held-frame repeats").isBetween(3L, 8L);
        assertThat(colourAt(null, 100, p2, p10, p0)).isEqualTo(0xFF0000);
        assertThat(colourAt(null, 2100, p2, p10, p0)).as("part 0 holds until part 2's first sync").isEqualTo(0xFF0000);
        assertThat(colourAt(null, 2300, p2, p10, p0)).isEqualTo(0x00FF00);
        assertThat(colourAt(null, 5000, p2, p10, p0)).isEqualTo(0x0000FF);
    }

    @Test
    void perPartWritesMp4sAndAnMp4ReplayJsonFromALionDirectory() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve(SID + ".2.part.gz"), TestRecordings.part(0x00FF00, 12_200, 14_000));
        Files.write(in.resolve(SID + ".10.part.gz"), TestRecordings.part(0x0000FF, 14_300, 16_000));
        // files[] in Lexicographic order, as Lion lists them; slash dates, as older files have
        String json = "{\"id\":\"" + SID + "\",\"user\":\"Administrator(admin)\",\"asset\":\"win-01\",\"protocol\":\"rdp\","
                + "\"date_start\":\"2025/11/18 02:00:00 +0000\",\"date_end\":\"2025/11/18 02:00:30 +0000\",\"type\":\"guacamole\","
                + "\"files\":[{\"name\":\"" + SID + ".10.part.gz\",\"start\":14300,\"end\":16000,\"duration\":1700,\"size\":1},"
                + "{\"name\":\"" + SID + ".2.part.gz\",\"start\":12200,\"end\":14000,\"duration\":1800,\"size\":1}]}";
        Files.writeString(in.resolve(SID + ".replay.json"), json);
        Path out = dir.resolve("out");
        Cli r = Cli.run("convert", in.toString(), "--per-part", "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode replay = new ObjectMapper().readTree(out.resolve(SID + ".replay.json").toFile());
        assertThat(replay.path("type").asText()).isEqualTo("mp4");
        assertThat(replay.path("user").asText()).isEqualTo("Administrator(admin)");
        assertThat(replay.path("date_start").asText()).isEqualTo("2025-11-18 02:00:00 +0000");
        JsonNode files = replay.path("files");
        assertThat(files).hasSize(2);
        assertThat(files.get(0).path("name").asText()).isEqualTo(SID + ".2.part.mp4");
        assertThat(files.get(1).path("name").asText()).isEqualTo(SID + ".10.part.mp4");
        assertThat(files.get(0).path("start").asLong()).isEqualTo(12200);
        assertThat(files.get(0).path("end").asLong()).isEqualTo(14000);
        assertThat(files.get(0).path("duration").asLong()).isEqualTo(1800);
        assertThat(files.get(0).has("checksum")).isFalse();
        for (JsonNode f : files) {
            assertThat(f.path("size").asLong()).isEqualTo(Files.size(out.resolve(f.path("name").asText())));
        }
    }

    @Test
    void aSingleSampleRecordingConvertsWithDefaultName() throws IOException {
        Path out = dir.resolve("x.mp4");
        Cli r = Cli.run("convert", "../samples/vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz",
                "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.path("width").asInt()).isEqualTo(1024);
        assertThat(json.path("height").asInt()).isEqualTo(768);
        assertThat(json.path("duration_ms").asLong()).isEqualTo(29224);
        assertThat(json.path("bytes").asLong()).isEqualTo(Files.size(out));
        assertThat(json.path("wall_ms").asLong()).isPositive();
    }
}
