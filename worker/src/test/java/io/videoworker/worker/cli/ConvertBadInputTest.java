package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad-input case of `convert`, with its exit code, its message, and no output left behind. */
class ConvertBadInputTest {
    static final Path SAMPLE = Path.of("../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz");

    @TempDir
    Path dir;

    static byte[] raw(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private void assertNoOutput() throws IOException {
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".mp4"))).isEmpty();
        }
    }

    @Test
    void notARecordingExits2WithOneClearLine() throws IOException {
        Path png = dir.resolve("picture.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        Cli r = Cli.run("convert", png.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("picture.png").contains("not a Guacamole recording");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertNoOutput();
    }

    @Test
    void gzipOfSomethingElseIsNotARecordingEither() throws IOException {
        Path f = dir.resolve("x.replay.gz");
        Files.write(f, io.videoworker.worker.TestRecordings.gzip("hello world, this is text".getBytes(StandardCharsets.UTF_8)));
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not a Guacamole recording");
        assertNoOutput();
    }

    @Test
    void nothingDecodableExits2() throws IOException {
        Path f = dir.resolve("empty.guac");
        Files.writeString(f, "3.nop;3.key,2.65,1.1;");
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to convert");
        assertNoOutput();
    }

    @Test
    void garbageFromTheFirstByteIsStillRefused() throws IOException {
        byte[] garbage = new byte[1 << 20];
        new java.util.Random(3).nextBytes(garbage);
        garbage[0] = 'x'; // a digit would start a length
        for (Path f : List.of(Files.write(dir.resolve("noise.guac"), garbage),
                Files.write(dir.resolve("noise.replay.gz"), io.videoworker.worker.TestRecordings.gzip(garbage)))) {
            Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains(f.getFileName().toString()).contains("not a Guacamole recording")
                    .contains("at byte 0 (instruction 1)");
            assertNoOutput();
        }
    }

    @Test
    void oneInstructionThenGarbageHasNothingToConvert() throws IOException {
        byte[] garbage = new byte[1 << 20];
        new java.util.Random(4).nextBytes(garbage);
        byte[] head = "4.size,1.0,2.64,2.48;".getBytes(StandardCharsets.US_ASCII);
        Path f = dir.resolve("head.guac");
        Files.write(f, head);
        Files.write(f, garbage, java.nio.file.StandardOpenOption.APPEND);
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to convert: the recording has no sync instruction; 1 damaged stretch was"
                + " skipped, the first: head.guac: damaged data: bytes 21–" + (21 + garbage.length)).contains("the recording ends there");
        assertNoOutput();
    }

    @Test
    void damageInTheMiddleConvertsWithItsPlaceInTheWarnings() throws Exception {
        byte[] data = raw(SAMPLE);
        byte[] broken = data.clone();
        int semicolon = data.length / 2;
        while (broken[semicolon] != ';') {
            semicolon++;
        }
        int at = semicolon;
        broken[at] = 'X'; // a missing terminator
        Path f = dir.resolve("broken.guac");
        Files.write(f, broken);
        Path out = dir.resolve("out.mp4");
        Cli r = Cli.run("convert", f.toString(), "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        // the damaged instruction was an image's last blob: its image is skipped too, with a warning of its own
        assertThat(json.path("warnings")).filteredOn(w -> w.asText().contains("damaged")).singleElement()
                .satisfies(w -> assertThat(w.asText()).startsWith("broken.guac: damaged data: bytes ")
                .contains("(expected ',' or ';' but found 'X' at byte " + at + ")").contains("; resumed at byte "));
        assertThat(json.path("duration_ms").asLong()).as("the whole recording").isBetween(30_200L, 30_400L);
        assertThat(Files.size(out)).isEqualTo(json.path("bytes").asLong());

        // in text mode the same warning goes to stderr (the service's task log takes the child's stderr too)
        Files.delete(out);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.videoworker.worker.Main", "convert", f.toString(),
                "-o", out.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(err).contains("WARN").contains("broken.guac: damaged data: bytes ").contains("at byte " + at)
                .contains(out + ": 1024x768");
    }

    @Test
    void truncatedRecordingConvertsWithAWarning() throws IOException {
        byte[] data = raw(SAMPLE);
        Path f = dir.resolve("cut.guac");
        Files.write(f, java.util.Arrays.copyOf(data, data.length * 2 / 3 + 17));
        Path out = dir.resolve("cut.mp4");
        Cli r = Cli.run("convert", f.toString(), "-o", out.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.path("warnings").toString()).contains("cut off").contains("byte");
        assertThat(json.path("duration_ms").asLong()).isBetween(5000L, 29000L);
        assertThat(Files.size(out)).isEqualTo(json.path("bytes").asLong());
    }

    @Test
    void brokenImageInTheMiddleIsSkippedWithAWarning() throws IOException {
        String text = new String(raw(SAMPLE), StandardCharsets.ISO_8859_1);
        int img = text.indexOf("4.blob,", text.length() / 2);
        int data = text.indexOf(',', img + 7) + 1;
        int dot = text.indexOf('.', data);
        StringBuilder sb = new StringBuilder(text);
        for (int i = dot + 20; i < dot + 200; i++) {
            sb.setCharAt(i, 'A'); // corrupt the PNG bytes, keep valid base64
        }
        Path f = dir.resolve("badimg.guac");
        Files.write(f, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("b.mp4").toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("could not be decoded").contains("at byte");
    }

    @Test
    void absurdSizeIsRefused() throws IOException {
        Path f = dir.resolve("huge.guac");
        Files.writeString(f, "4.size,1.0,6.100000,6.100000;4.sync,1.1;");
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("100000x100000").contains("limit");
        assertNoOutput();
    }

    @Test
    void missingListedPartIsAClearError() throws IOException {
        Path src = Path.of("../samples/vnc-desktop-30s/lion");
        Path json = dir.resolve("77993207-ccb2-5332-bda2-4586e24c3166.replay.json");
        Files.copy(src.resolve(json.getFileName()), json);
        Cli r = Cli.run("convert", dir.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("77993207-ccb2-5332-bda2-4586e24c3166.0.part.gz").contains("missing");
        assertNoOutput();
    }

    @Test
    void missingFileAndBadOptionsAreUsageErrors() {
        assertThat(Cli.run("convert", dir.resolve("nope.gz").toString()).err()).contains("no such file");
        assertThat(Cli.run("convert", dir.resolve("nope.gz").toString()).exit()).isEqualTo(2);
        Cli size = Cli.run("convert", SAMPLE.toString(), "--size", "big");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--size");
        assertThat(Cli.run("convert", SAMPLE.toString(), "--crf", "99").exit()).isEqualTo(2);
        assertThat(Cli.run("convert", SAMPLE.toString(), "--snapshot", "100").err()).contains("-o");
    }
}
