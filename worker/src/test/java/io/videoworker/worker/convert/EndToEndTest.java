package io.videoworker.worker.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.guac.AudioFormat;
import io.videoworker.guac.Frame;
import io.videoworker.guac.FrameSink;
import io.videoworker.guac.PlayerOptions;
import io.videoworker.guac.SessionPlayer;
import io.videoworker.guac.Warnings;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The three samples end to end, the output decoded with FFmpeg (Mp4Probe), never judged by eye. */
class EndToEndTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> samples() {
        return ReferenceFramesTest.samples();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleBecomesAPlayableFaithfulH264Mp4(String name, Path recording) throws Exception {
        SessionInput input = SessionInput.resolve(List.of(recording));
        Path mp4 = dir.resolve(name + ".mp4");
        Path lossless = dir.resolve(name + ".lossless.mp4");
        ConversionResult r = new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE).convert(input, mp4);
        new Converter(ConvertOptions.DEFAULT.withLossless(true), Converter.Progress.NONE).convert(input, lossless);

        JsonNode times = new ObjectMapper().readTree(
                ReferenceFramesTest.SAMPLES.resolve(name).resolve("reference/times.json").toFile());
        long span = syncSpan(recording);

        Mp4Info info = Mp4Probe.info(mp4);
        assertThat(info.videoCodec()).isEqualTo("h264");
        assertThat(info.pixelFormat()).isEqualTo("yuv420p");
        assertThat(info.width()).isEqualTo(1024);
        assertThat(info.height()).isEqualTo(768);
        assertThat(info.moovBeforeMdat()).isTrue();
        assertThat(Math.abs(info.durationMs() - span)).as("duration %d vs sync span %d", info.durationMs(), span)
                .isLessThanOrEqualTo(100);
        assertThat(r.durationMs()).as("AAC frames may round the end up").isBetween(span, span + 30);
        assertThat(info.hasAudio()).isEqualTo(name.contains("audio"));

        try (Mp4Probe normal = Mp4Probe.open(mp4); Mp4Probe exact = Mp4Probe.open(lossless)) {
            for (JsonNode e : times.path("times")) {
                long t = e.path("t").asLong();
                double ssim = Ssim.of(normal.frameAt(t), exact.frameAt(t));
                assertThat(ssim).as("SSIM at %d ms", t).isGreaterThanOrEqualTo(0.98);
            }
        }
    }

    /** Latest sync minus first sync, read straight from the recording (stamps can step back 1-2 ms). */
    static long syncSpan(Path recording) throws java.io.IOException {
        long first = -1;
        long last = -1;
        try (io.videoworker.guac.protocol.GuacReader r = io.videoworker.guac.protocol.RecordingInput.open(recording)) {
            io.videoworker.guac.protocol.Instruction in = new io.videoworker.guac.protocol.Instruction();
            while (r.next(in)) {
                if (in.opcode().equals("sync")) {
                    long ts = in.longArg(0);
                    first = first < 0 ? ts : first;
                    last = Math.max(last, ts);
                }
            }
        }
        return last - first;
    }

    @Test
    void losslessEncodeEqualsTheRenderedDisplayExactly() throws Exception {
        Path recording = ReferenceFramesTest.SAMPLES.resolve("vnc-desktop-30s-guacd160/vnc-desktop-30s-guacd160.replay.gz");
        SessionInput input = SessionInput.resolve(List.of(recording));
        Path lossless = dir.resolve("l.mp4");
        new Converter(ConvertOptions.DEFAULT.withLossless(true), Converter.Progress.NONE).convert(input, lossless);
        long[] at = {2110, 13545, 27450};
        Map<Long, BufferedImage> snaps = Snapshots.take(input, at, ConvertOptions.DEFAULT);
        try (Mp4Probe probe = Mp4Probe.open(lossless)) {
            for (long t : at) {
                BufferedImage video = probe.frameAt(t);
                BufferedImage snap = snaps.get(t);
                int differing = 0;
                for (int y = 0; y < snap.getHeight(); y++) {
                    for (int x = 0; x < snap.getWidth(); x++) {
                        int s = snap.getRGB(x, y);
                        int expected = (s >>> 24) == 255 ? s & 0xFFFFFF : 0; // nothing painted shows black
                        if ((video.getRGB(x, y) & 0xFFFFFF) != expected) {
                            differing++;
                        }
                    }
                }
                assertThat(differing).as("pixels differing at %d ms", t).isZero();
            }
        }
    }

    @Test
    void audioSampleHasSoundWhereTheRecordingHasIt() throws Exception {
        Path recording = ReferenceFramesTest.SAMPLES.resolve("vnc-audio-60s/lion/77a63645-8191-5d3b-af51-4aac481ff8a0.0.part.gz");
        SessionInput input = SessionInput.resolve(List.of(recording));
        // where the recording itself has loud PCM, by second
        TreeMap<Long, Double> loudness = new TreeMap<>();
        FrameSink ear = new FrameSink() {
            @Override
            public void prepare(Frame frame) {
            }

            @Override
            public void show(long ms) {
            }

            @Override
            public void audio(long ms, short[] samples, int frames, AudioFormat format) {
                double sum = 0;
                for (short s : samples) {
                    sum += (double) s * s;
                }
                loudness.merge(ms / 1000, Math.sqrt(sum / Math.max(1, samples.length)) / 32768, Math::max);
            }
        };
        try (SessionPlayer p = new SessionPlayer(PlayerOptions.DEFAULT, ear, new Warnings())) {
            new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE).play(input.parts(), p, 0);
            p.finish();
        }
        // audio is placed at the time of the sync before it: take a second whose neighbours are loud too
        long loudSecond = loudness.entrySet().stream()
                .filter(e -> e.getValue() > 0.05 && loudness.getOrDefault(e.getKey() - 1, 0.0) > 0.05
                        && loudness.getOrDefault(e.getKey() + 1, 0.0) > 0.05)
                .findFirst().orElseThrow().getKey();
        long quietSecond = -1;
        for (long s = 1; s < 55; s++) {
            if (!loudness.containsKey(s - 1) && !loudness.containsKey(s) && !loudness.containsKey(s + 1)
                    && !loudness.containsKey(s - 2)) {
                quietSecond = s;
                break;
            }
        }
        assertThat(quietSecond).as("the sample has a silent stretch").isPositive();

        Path mp4 = dir.resolve("audio.mp4");
        new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE).convert(input, mp4);
        Mp4Info info = Mp4Probe.info(mp4);
        assertThat(info.audioCodec()).isEqualTo("aac");
        assertThat(Math.abs(info.audioDurationMs() - info.durationMs())).isLessThanOrEqualTo(100);
        try (Mp4Probe probe = Mp4Probe.open(mp4)) {
            double loud = probe.audioRms(loudSecond * 1000 + 200, loudSecond * 1000 + 800);
            double quiet = probe.audioRms(quietSecond * 1000 + 100, quietSecond * 1000 + 900);
            assertThat(loud).as("RMS in second %d", loudSecond).isGreaterThan(0.02);
            assertThat(quiet).as("RMS in silent second %d", quietSecond).isLessThan(0.002);
        }
    }
}
