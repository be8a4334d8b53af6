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
    void malformedMiddleExits2NamingOffsetAndInstruction() throws IOException {
        byte[] data = raw(SAMPLE);
        byte[] broken = data.clone();
        int at = data.length / 2;
        while (broken[at] != ';') {
            at++;
        }
        broken[at] = 'X'; // a missing terminator
        Path f = dir.resolve("broken.guac");
        Files.write(f, broken);
        Cli r = Cli.run("convert", f.toString(), "-o", dir.resolve("out.mp4").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("broken.guac").contains("at byte " + at).contains("instruction ");
        assertNoOutput();
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
