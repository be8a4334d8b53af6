package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {

    @TempDir
    Path dir;

    /** A coloured square moving over a grey background; frame {@code i}. */
    private static Canvas movingSquare(int width, int height, int i) {
        return new Canvas(width, height).fill(0xff404040)
                .rect(10 + (i * 7) % (width - 60), 20 + (i * 3) % (height - 60), 40, 40, 0xffe02020)
                .rect(width - 50, 5, 30, 30, 0xff20c0ff);
    }

    @Test
    void writesH264HighYuv420WithFaststartAndTheRequestedDuration() {
        Path out = dir.resolve("basic.mp4");
        Mp4Result result;
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240))) {
            for (int i = 0; i < 50; i++) {
                Canvas c = movingSquare(320, 240, i);
                writer.update(c.pixels, 320, 240, 0, 0, 320, 240);
                writer.emit(i * 40L);
            }
            result = writer.finish(3000);
        }
        assertThat(result.width()).isEqualTo(320);
        assertThat(result.height()).isEqualTo(240);
        assertThat(result.durationMs()).isEqualTo(3000);
        assertThat(result.hasAudio()).isFalse();
        assertThat(result.bytes()).isEqualTo(out.toFile().length()).isPositive();
        assertThat(dir.resolve("basic.mp4.partial")).doesNotExist();

        Mp4Info info = Mp4Probe.info(out);
        assertThat(info.videoCodec()).isEqualTo("h264");
        assertThat(info.videoProfile()).isEqualTo("High");
        assertThat(info.pixelFormat()).isEqualTo("yuv420p");
        assertThat(info.width()).isEqualTo(320);
        assertThat(info.height()).isEqualTo(240);
        assertThat(info.durationMs()).isCloseTo(3000, within(3L));
        assertThat(info.videoDurationMs()).isCloseTo(3000, within(3L));
        assertThat(info.videoFrames()).isEqualTo(result.frames());
        assertThat(info.moovBeforeMdat()).isTrue();
        assertThat(info.topLevelBoxes()).startsWith("ftyp", "moov");
    }

    @Test
    void aFileWithoutAudioHasNoAudioTrack() {
        Path out = dir.resolve("silent.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            writer.emit(0);
            writer.finish(500);
        }
        Mp4Info info = Mp4Probe.info(out);
        assertThat(info.streams()).isEqualTo(1);
        assertThat(info.hasAudio()).isFalse();
        assertThat(info.hasVideo()).isTrue();
    }

    @Test
    void framesAtOneDecodeGivesWhatFrameAtGivesOneByOne() {
        Path out = dir.resolve("frames.mp4");
        Canvas canvas = new Canvas(96, 64).fill(0xff000000);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(96, 64).withKeyframeIntervalFrames(4))) {
            for (int i = 0; i < 12; i++) {
                canvas.rect(i * 8, 0, 8, 64, 0xff000000 | (i * 20 << 8));
                writer.update(canvas.pixels, 96, 64, 0, 0, 96, 64);
                writer.emit(100L * i * i); // uneven gaps
            }
            writer.finish(15_000);
        }
        long[] times = {0, 0, 50, 100, 399, 400, 401, 2_500, 8_100, 12_099, 12_100, 14_999, 20_000};
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            List<Long> seen = new java.util.ArrayList<>();
            List<int[]> pass = new java.util.ArrayList<>();
            probe.framesAt(times, (image, t) -> {
                seen.add(t);
                pass.add(image.getRGB(0, 0, 96, 64, null, 0, 96));
            });
            assertThat(seen).containsExactly(java.util.Arrays.stream(times).boxed().toArray(Long[]::new));
            for (int i = 0; i < times.length; i++) {
                assertThat(pass.get(i)).as("picture at %d ms", times[i])
                        .isEqualTo(probe.frameAt(times[i]).getRGB(0, 0, 96, 64, null, 0, 96));
            }
            assertThat(pass.get(5)).as("400 ms shows the third frame, not the second")
                    .isNotEqualTo(pass.get(4));
        }
        assertThatThrownBy(() -> {
            try (Mp4Probe probe = Mp4Probe.open(out)) {
                probe.framesAt(new long[] {5, 4}, (image, t) -> { });
            }
        }).hasMessageContaining("ascend");
    }

    @Test
    void oddSizeIsPaddedWithBlack() {
        Path out = dir.resolve("odd.mp4");
        Canvas canvas = new Canvas(101, 75).fill(0xffffffff).rect(30, 20, 30, 20, 0xff2060e0);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(101, 75).withX264(X264Options.DEFAULT.withCrf(23)))) {
            writer.update(canvas.pixels, 101, 75, 0, 0, 101, 75);
            writer.emit(0);
            assertThat(writer.finish(200).width()).isEqualTo(102);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            assertThat(probe.info().width()).isEqualTo(102);
            assertThat(probe.info().height()).isEqualTo(76);
            BufferedImage image = probe.frameAt(0);
            assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
            assertThat(canvas.meanAbsError(image)).isLessThan(3);
            // the padding column and row are black next to white content (lossy: a little ringing allowed)
            for (int y = 0; y < 76; y += 5) {
                assertThat(maxChannel(image.getRGB(101, y))).as("padding at x=101 y=%d", y).isLessThan(40);
            }
            for (int x = 0; x < 102; x += 5) {
                assertThat(maxChannel(image.getRGB(x, 75))).as("padding at y=75 x=%d", x).isLessThan(40);
            }
        }
    }

    @Test
    void losslessRoundTripIsExact() {
        Path out = dir.resolve("lossless.mp4");
        Canvas canvas = new Canvas(101, 75).noise(7, 1);
        Canvas[] expected = new Canvas[4];
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(101, 75).withLossless(true))) {
            writer.update(canvas.pixels, 101, 75, 0, 0, 101, 75);
            writer.emit(0);
            expected[0] = canvas.copy();
            for (int i = 1; i < 4; i++) {
                // damaged rectangles only, at odd places
                canvas.rect(3 * i + 1, 5 * i + 1, 7, 9, 0xff000000 | (0x3f1f7f * i));
                writer.update(canvas.pixels, 101, 75, 3 * i + 1, 5 * i + 1, 7, 9);
                writer.emit(i * 100L);
                expected[i] = canvas.copy();
            }
            writer.finish(500);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            for (int i = 0; i < 4; i++) {
                BufferedImage image = probe.frameAt(i * 100L + 50);
                for (int y = 0; y < 75; y++) {
                    for (int x = 0; x < 101; x++) {
                        if (expected[i].rgb(x, y) != (image.getRGB(x, y) & 0xffffff)) {
                            throw new AssertionError("frame " + i + " differs at " + x + "," + y);
                        }
                    }
                }
                for (int y = 0; y < 76; y++) {
                    assertThat(image.getRGB(101, y) & 0xffffff).isZero();
                }
            }
        }
    }

    @Test
    void normalEncodeIsCloseToTheInput() {
        Path out = dir.resolve("close.mp4");
        Canvas[] frames = new Canvas[10];
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240))) {
            for (int i = 0; i < frames.length; i++) {
                frames[i] = movingSquare(320, 240, i * 3);
                writer.update(frames[i].pixels, 320, 240, 0, 0, 320, 240);
                writer.emit(i * 200L);
            }
            writer.finish(2000);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            for (int i = 0; i < frames.length; i += 3) {
                assertThat(frames[i].meanAbsError(probe.frameAt(i * 200L + 100))).as("frame %d", i)
                        .isLessThan(2.5);
            }
        }
    }

    @Test
    void dirtyRectangleUpdateKeepsTheRestOfThePicture() {
        Path out = dir.resolve("dirty.mp4");
        Canvas before = new Canvas(320, 240).fill(0xff2080c0).rect(0, 0, 160, 240, 0xfff0f0f0);
        Canvas after = before.copy().rect(101, 51, 37, 23, 0xffd02000);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240))) {
            writer.update(before.pixels, 320, 240, 0, 0, 320, 240);
            writer.emit(0);
            writer.update(after.pixels, 320, 240, 101, 51, 37, 23);
            writer.emit(1000);
            writer.finish(2000);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            BufferedImage old = probe.frameAt(500);
            BufferedImage now = probe.frameAt(1500);
            assertThat(before.meanAbsError(old)).isLessThan(2);
            assertThat(after.meanAbsError(now)).isLessThan(2);
            // inside the new rectangle, and old content right next to it on both sides of the seam
            assertThat(Canvas.maxChannelDiff(now.getRGB(120, 60) & 0xffffff, 0xd02000)).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(old.getRGB(120, 60) & 0xffffff, 0xf0f0f0)).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(now.getRGB(145, 45) & 0xffffff, 0xf0f0f0)).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(now.getRGB(200, 100) & 0xffffff, 0x2080c0)).isLessThan(16);
        }
    }

    @Test
    void aKeyframeEveryIntervalOfFramesWhateverTheTimeBetweenThem() {
        Path out = dir.resolve("frames.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240).withKeyframeIntervalFrames(50))) {
            for (int i = 0; i < 160; i++) {
                Canvas c = movingSquare(320, 240, i);
                writer.update(c.pixels, 320, 240, 0, 0, 320, 240);
                // busy, then one frame a minute: the rule counts frames, not seconds
                writer.emit(i < 100 ? i * 40L : 4000 + (i - 100) * 60_000L);
            }
            writer.finish(4000 + 60 * 60_000L);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            List<VideoPacket> packets = probe.videoPackets();
            assertThat(packets).hasSize(160);
            int since = 0;
            int keys = 0;
            for (VideoPacket p : packets) {
                since = p.key() ? 0 : since + 1;
                keys += p.key() ? 1 : 0;
                assertThat(since).as("frames after the keyframe before %d ms", p.ptsMs()).isLessThan(50);
            }
            assertThat(keys).as("0, 50, 100, 150 (and any scene cut of x264's)").isBetween(4, 6);
            // decode times equal presentation times (no B-frame lag), so seeking by either agrees
            assertThat(packets).allSatisfy(p -> assertThat(p.dtsMs()).isEqualTo(p.ptsMs()));
        }
    }

    @Test
    void aStillPictureCostsNoFramesAndLastsUntilTheNextOne() {
        Path out = dir.resolve("still.mp4");
        Canvas held = movingSquare(320, 240, 3);
        Canvas after = held.copy().rect(30, 40, 20, 10, 0xff10e010);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(320, 240))) {
            writer.update(held.pixels, 320, 240, 0, 0, 320, 240);
            writer.emit(0);
            writer.update(after.pixels, 320, 240, 30, 40, 20, 10);
            writer.emit(3_600_000); // an hour later
            writer.finish(7_200_000);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            assertThat(probe.videoPackets()).extracting(VideoPacket::ptsMs).containsExactly(0L, 3_600_000L);
            assertThat(probe.videoPackets().get(1).key()).as("the change after the stretch is predicted").isFalse();
            assertThat(probe.info().durationMs()).isCloseTo(7_200_000, within(3L));
            // what a player shows, also when it seeks into the middle of a stretch
            assertThat(held.meanAbsError(probe.frameAt(1_800_000))).isLessThan(2.5);
            assertThat(after.meanAbsError(probe.frameAt(3_600_500))).isLessThan(2.5);
            assertThat(after.meanAbsError(probe.frameAt(7_100_000))).isLessThan(2.5);
        }
        assertThat(out.toFile().length()).as("two hours, two frames").isLessThan(20_000);
    }

    @Test
    void timestampsThatDoNotIncreaseAreClamped() {
        Path out = dir.resolve("clamp.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            writer.emit(100);
            writer.emit(100);
            writer.emit(50);
            writer.emit(-5);
            writer.finish(200);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            List<Long> pts = probe.videoPackets().stream().map(VideoPacket::ptsMs).toList();
            // the first picture is shown from 0; later times never go back
            assertThat(pts.subList(0, 4)).containsExactly(0L, 100L, 101L, 102L);
        }
    }

    @Test
    void canvasSizeChangesAreLetterboxed() {
        Path out = dir.resolve("resize.mp4");
        Canvas first = new Canvas(640, 480).fill(0xff808080).rect(0, 0, 320, 480, 0xff00c000);
        Canvas same = new Canvas(800, 600).fill(0xff0000c0).rect(0, 0, 400, 600, 0xffc0c000);
        Canvas wide = new Canvas(1000, 500).fill(0xffffffff);
        Canvas tall = new Canvas(301, 600).fill(0xffc00000);
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(640, 480))) {
            writer.update(first.pixels, 640, 480, 0, 0, 640, 480);
            writer.emit(0);
            writer.update(same.pixels, 800, 600, 0, 0, 10, 10);
            writer.emit(1000);
            writer.update(wide.pixels, 1000, 500, 0, 0, 1000, 500);
            writer.emit(2000);
            writer.update(tall.pixels, 301, 600, 5, 5, 1, 1);
            writer.emit(3000);
            writer.update(first.pixels, 640, 480, 0, 0, 1, 1);
            writer.emit(4000);
            writer.finish(5000);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            assertThat(probe.info().width()).isEqualTo(640);
            BufferedImage scaled = probe.frameAt(1500);
            assertThat(Canvas.maxChannelDiff(scaled.getRGB(100, 240) & 0xffffff, 0xc0c000)).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(scaled.getRGB(540, 240) & 0xffffff, 0x0000c0)).isLessThan(16);
            // 2:1 into 4:3: 640x320 box, 80-row bars
            BufferedImage wideImage = probe.frameAt(2500);
            assertThat(maxChannel(wideImage.getRGB(320, 40))).isLessThan(16);
            assertThat(maxChannel(wideImage.getRGB(320, 440))).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(wideImage.getRGB(320, 240) & 0xffffff, 0xffffff)).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(wideImage.getRGB(320, 85) & 0xffffff, 0xffffff)).isLessThan(16);
            // tall: 240x480 box centred, bars left and right
            BufferedImage tallImage = probe.frameAt(3500);
            assertThat(maxChannel(tallImage.getRGB(100, 240))).isLessThan(16);
            assertThat(maxChannel(tallImage.getRGB(540, 240))).isLessThan(16);
            assertThat(Canvas.maxChannelDiff(tallImage.getRGB(320, 240) & 0xffffff, 0xc00000)).isLessThan(16);
            // back at the output size: direct again, no bars left over
            assertThat(first.meanAbsError(probe.frameAt(4500))).isLessThan(2);
        }
    }

    @Test
    void closeWithoutFinishLeavesNoFile() {
        Path out = dir.resolve("abandoned.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            writer.emit(0);
            writer.emit(40);
        }
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("abandoned.mp4.partial")).doesNotExist();
    }

    @Test
    void finishedWriterRefusesMoreWork() {
        Path out = dir.resolve("done.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            writer.finish(100);
            assertThatThrownBy(() -> writer.emit(200)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(out).exists();
        assertThat(Mp4Probe.info(out).videoFrames()).isPositive();
    }

    @Test
    void ffmpegErrorsNameTheCallAndThePath() {
        Path out = dir.resolve("missing-dir").resolve("x.mp4");
        assertThatThrownBy(() -> new Mp4Writer(out, VideoSettings.of(64, 48)))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining("avio_open")
                .hasMessageContaining(out.toString())
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void probeRejectsAFileThatIsNotMp4() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.mp4"), "not a video");
        assertThatThrownBy(() -> Mp4Probe.info(junk)).isInstanceOf(EncodeException.class)
                .hasMessageContaining("avformat_open_input").hasMessageContaining("junk.mp4");
    }

    private static int maxChannel(int rgb) {
        return Math.max((rgb >> 16) & 255, Math.max((rgb >> 8) & 255, rgb & 255));
    }
}
