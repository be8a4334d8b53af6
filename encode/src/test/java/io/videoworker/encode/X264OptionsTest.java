package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every option X264Options lets through reaches x264 under the name x264 knows (FFmpeg only warns otherwise). */
class X264OptionsTest {

    @TempDir
    Path dir;

    @Test
    void everyKnownOptionTakesEffect() throws Exception {
        String all = "ref=2:subme=3:me=hex:merange=8:trellis=0:aq-mode=1:aq-strength=0.8:rc-lookahead=5:mbtree=1"
                + ":weightp=0:8x8dct=0:partitions=none:mixed-refs=0:fast-pskip=0:chroma-me=0:dct-decimate=0"
                + ":cabac=0:deblock=-1,-2:scenecut=0:threads=2:lookahead-threads=1:sliced-threads=1:qcomp=0.5"
                + ":nr=100:deadzone-inter=20:deadzone-intra=10:ipratio=1.3:psy=1:psy-rd=0.7,0.2";
        String used = encode(new X264Options("veryfast", "", 28, all));
        for (String expected : new String[] {"ref=2", "subme=3", "me=hex", "me_range=8", "trellis=0", "aq=1:0.80",
                "rc_lookahead=5", "mbtree=1", "weightp=0", "8x8dct=0", "analyse=0x1:0", "mixed_ref=0", "fast_pskip=0",
                "chroma_me=0", "decimate=0", "cabac=0", "deblock=1:-1:-2", "scenecut=0", "threads=2",
                "lookahead_threads=1", "sliced_threads=1", "qcomp=0.50", "nr=100", "deadzone=20,10", "ip_ratio=1.30",
                "psy_rd=0.70:0.20", "crf=28.0"}) {
            assertThat(used).as("x264's own record of its options").contains(" " + expected + " ");
        }
    }

    @Test
    void tuneAppliesUnderTheOptions() throws Exception {
        String used = encode(new X264Options("veryfast", "ssim", 30, "ref=3"));
        assertThat(used).contains(" psy=0 ").contains(" aq=2:1.00 ").contains(" ref=3 ");
    }

    /** Encodes a few frames and returns the option line x264 writes into its SEI, padded with spaces. */
    private String encode(X264Options x264) throws Exception {
        Path out = dir.resolve("x264.mp4");
        Canvas canvas = new Canvas(320, 240).noise(3, 1);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240).withX264(x264))) {
            for (int i = 0; i < 5; i++) {
                canvas.rect(i * 10, i * 5, 20, 20, 0xff000000 | (i * 40));
                writer.update(canvas.pixels, 320, 240, 0, 0, 320, 240);
                writer.emit(i * 100L);
            }
            writer.finish(600);
        }
        Matcher m = Pattern.compile("options: ([ -~]+)").matcher(new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1));
        assertThat(m.find()).as("x264 SEI in " + out).isTrue();
        return " " + m.group(1) + " ";
    }
}
