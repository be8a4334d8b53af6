package io.videoworker.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.encode.Mp4Probe;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import io.videoworker.worker.TestRecordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output size: --size letterboxes, and a mid-session resize is scaled into the first size. */
class ConvertSizeTest {
    @TempDir
    Path dir;

    static int channelMax(int rgb) {
        return Math.max((rgb >> 16) & 0xFF, Math.max((rgb >> 8) & 0xFF, rgb & 0xFF));
    }

    @Test
    void midSessionResizeIsScaledIntoTheFirstSizeWithBlackBars() throws Exception {
        StringBuilder sb = new StringBuilder();
        TestRecordings.el(sb, "size", "0", "64", "48");
        TestRecordings.el(sb, "img", "1", "12", "0", "image/png", "0", "0");
        TestRecordings.el(sb, "blob", "1", TestRecordings.png(64, 48, 0xFF0000));
        TestRecordings.el(sb, "end", "1");
        TestRecordings.el(sb, "sync", "1000");
        TestRecordings.el(sb, "size", "0", "128", "48"); // the remote desktop got wider
        TestRecordings.el(sb, "img", "1", "12", "0", "image/png", "0", "0");
        TestRecordings.el(sb, "blob", "1", TestRecordings.png(128, 48, 0x00FF00));
        TestRecordings.el(sb, "end", "1");
        TestRecordings.el(sb, "sync", "2000");
        TestRecordings.el(sb, "sync", "3000");
        Path in = dir.resolve("resize.guac");
        Files.writeString(in, sb.toString(), StandardCharsets.US_ASCII);
        Path out = dir.resolve("resize.mp4");
        Cli r = Cli.run("convert", in.toString(), "-o", out.toString(), "--lossless");
        assertThat(r.exit()).as(r.err()).isZero();
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            assertThat(probe.info().width()).isEqualTo(64);
            assertThat(probe.info().height()).isEqualTo(48);
            assertThat(probe.frameAt(500).getRGB(32, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
            BufferedImage wide = probe.frameAt(2500); // 128x48 fits as 64x24, centred
            assertThat(channelMax(wide.getRGB(32, 4))).as("top bar").isLessThan(16);
            assertThat(channelMax(wide.getRGB(32, 44))).as("bottom bar").isLessThan(16);
            int mid = wide.getRGB(32, 24);
            assertThat((mid >> 8) & 0xFF).as("green content").isGreaterThan(200);
            assertThat((mid >> 16) & 0xFF).isLessThan(40);
        }
    }

    @Test
    void sizeOptionLetterboxesKeepingTheAspectRatio() throws Exception {
        Path out = dir.resolve("wide.mp4");
        Cli r = Cli.run("convert", "../samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz", "-o", out.toString(),
                "--size", "1280x720");
        assertThat(r.exit()).as(r.err()).isZero();
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            assertThat(probe.info().width()).isEqualTo(1280);
            assertThat(probe.info().height()).isEqualTo(720);
            BufferedImage f = probe.frameAt(21442);
            // 1024x768 → 960x720 centred: bars of 160 px left and right
            for (int y = 0; y < 720; y += 60) {
                assertThat(channelMax(f.getRGB(40, y))).as("left bar at y=%d", y).isLessThan(16);
                assertThat(channelMax(f.getRGB(1240, y))).as("right bar at y=%d", y).isLessThan(16);
            }
            assertThat(channelMax(f.getRGB(640, 30))).as("desktop in the middle").isGreaterThan(40);
        }
    }
}
