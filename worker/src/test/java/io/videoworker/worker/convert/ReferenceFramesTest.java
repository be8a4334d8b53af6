package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faithfulness to Guacamole's own browser player: our snapshots against the frames that
 * guacamole-common-js rendered (samples/REFERENCE.md). Exact (±1) everywhere: WebP is decoded
 * like libwebp (fancy chroma upsampling), as the browser does, so the WebP frames match as well;
 * the looser bound for WebP (mean absolute error ≤ 1.0) is checked on top.
 */
class ReferenceFramesTest {
    static final Path SAMPLES = Path.of("../samples");

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("vnc-desktop-30s", SAMPLES.resolve("vnc-desktop-30s/vnc-desktop-30s.replay.gz")),
                Arguments.of("vnc-desktop-30s-guacd160", SAMPLES.resolve("vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz")),
                Arguments.of("vnc-audio-60s", SAMPLES.resolve("vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void snapshotsMatchTheBrowserPlayer(String name, Path recording) throws Exception {
        JsonNode times = new ObjectMapper().readTree(SAMPLES.resolve(name).resolve("reference/times.json").toFile());
        List<JsonNode> entries = new ArrayList<>();
        times.path("times").forEach(entries::add);
        long[] ms = entries.stream().mapToLong(e -> e.path("t").asLong()).toArray();
        SessionInput input = SessionInput.resolve(List.of(recording));
        Map<Long, BufferedImage> withCursor = Snapshots.take(input, ms, ConvertOptions.DEFAULT);
        Map<Long, BufferedImage> noCursor = Snapshots.take(input, ms, new ConvertOptions(0, 0,
                new io.videoworker.encode.X264Options("veryfast", "", 23, ""), 30, false, false,
                io.videoworker.guac.Limits.DEFAULT));
        List<String> failures = new ArrayList<>();
        for (JsonNode e : entries) {
            long t = e.path("t").asLong();
            boolean webp = e.path("imagesSoFar").toString().contains("webp");
            compare(name, t, "png", e.path("png").asText(), withCursor.get(t), webp, failures);
            compare(name, t, "nocursor", e.path("nocursorPng").asText(), noCursor.get(t), webp, failures);
        }
        assertThat(failures).isEmpty();
    }

    private static void compare(String name, long t, String variant, String file, BufferedImage ours, boolean webp,
                                List<String> failures) throws IOException {
        BufferedImage ref = ImageIO.read(SAMPLES.resolve(name).resolve("reference").resolve(file).toFile());
        if (ours == null || ours.getWidth() != ref.getWidth() || ours.getHeight() != ref.getHeight()) {
            failures.add(name + " t" + t + " " + variant + ": size differs");
            return;
        }
        long sum = 0;
        int max = 0;
        long differing = 0;
        for (int y = 0; y < ref.getHeight(); y++) {
            for (int x = 0; x < ref.getWidth(); x++) {
                int a = ours.getRGB(x, y);
                int b = ref.getRGB(x, y);
                boolean diff = false;
                for (int s = 0; s < 32; s += 8) {
                    int d = Math.abs(((a >>> s) & 0xFF) - ((b >>> s) & 0xFF));
                    sum += d;
                    max = Math.max(max, d);
                    diff |= d > 0;
                }
                if (diff) {
                    differing++;
                }
            }
        }
        double mae = sum / (4.0 * ref.getWidth() * ref.getHeight());
        boolean ok = max <= 1 && mae <= (webp ? 1.0 : 0.01);
        if (!ok) {
            failures.add(String.format("%s t%d %s: MAE %.3f, max %d, %d pixels differ", name, t, variant, mae, max, differing));
        }
    }
}
