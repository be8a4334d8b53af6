package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4AudioTest {

    @TempDir
    Path dir;

    /** Hands a sound to the writer in blob-sized pieces stamped with a jittery arrival time, as guacd would. */
    private static void deliver(Mp4Writer writer, long atMs, short[] pcm, int rate, int channels, int chunk,
                                Random jitter) {
        int frames = pcm.length / channels;
        for (int done = 0; done < frames; done += chunk) {
            int n = Math.min(chunk, frames - done);
            long arrival = atMs + done * 1000L / rate + jitter.nextInt(60);
            writer.audio(done == 0 ? atMs : arrival, pcm, done * channels, n, rate, channels);
        }
    }

    private static void video(Mp4Writer writer, long untilMs) {
        Canvas c = new Canvas(64, 48).fill(0xff336699);
        for (long t = 0; t < untilMs; t += 1000) {
            c.rect((int) (t / 1000) * 4, 10, 4, 4, 0xffffffff);
            writer.update(c.pixels, 64, 48, 0, 0, 64, 48);
            writer.emit(t);
        }
    }

    @Test
    void burstsLandOnTheTimelineWithSilenceAroundThem() {
        Path out = dir.resolve("bursts.mp4");
        Random jitter = new Random(3);
        Mp4Result result;
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            video(writer, 12_000);
            // first burst: CD-rate stereo, second: telephone-rate mono (resampled)
            deliver(writer, 2000, Tones.sine(440, 44100, 2, 44100), 44100, 2, 1512, jitter);
            deliver(writer, 8000, Tones.sine(1000, 8000, 1, 8000), 8000, 1, 600, jitter);
            result = writer.finish(12_000);
        }
        assertThat(result.hasAudio()).isTrue();
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            Mp4Info info = probe.info();
            assertThat(info.streams()).isEqualTo(2);
            assertThat(info.audioCodec()).isEqualTo("aac");
            assertThat(info.audioSampleRate()).isEqualTo(44100);
            assertThat(info.audioChannels()).isEqualTo(2);
            assertThat(info.audioDurationMs()).isCloseTo(12_000, within(5L));
            assertThat(info.durationMs()).isCloseTo(12_000, within(5L));

            assertThat(probe.audioRms(0, 1950)).isLessThan(0.001);
            assertThat(probe.audioRms(2030, 2970)).isGreaterThan(0.25);
            assertThat(probe.audioRms(3050, 7950)).isLessThan(0.001);
            assertThat(probe.audioRms(8030, 8970)).isGreaterThan(0.25);
            assertThat(probe.audioRms(9050, 12_000)).isLessThan(0.001);
            // the burst starts where it was received, give or take an AAC frame of pre-echo
            assertThat(probe.audioRms(1900, 1975)).isLessThan(0.02);
            assertThat(probe.audioRms(2005, 2060)).isGreaterThan(0.25);
            // jittery arrivals are appended contiguously: no holes inside the burst
            for (long t = 2030; t < 2950; t += 40) {
                assertThat(probe.audioRms(t, t + 40)).as("window at %d ms", t).isGreaterThan(0.25);
            }
            PcmClip clip = probe.audio(2500, 2600);
            assertThat(clip.channels()).isEqualTo(2);
            assertThat(clip.frames()).isEqualTo(4410);
        }
    }

    @Test
    void formatMayChangeWithinABurst() {
        Path out = dir.resolve("formats.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            video(writer, 3000);
            writer.audio(500, Tones.sine(300, 48000, 2, 24000), 0, 24000, 48000, 2);
            writer.audio(1000, Tones.sine(300, 22050, 1, 11025), 0, 11025, 22050, 1);
            writer.audio(1500, Tones.sine(300, 96000, 2, 48000), 0, 48000, 96000, 2);
            writer.finish(3000);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            for (long t = 550; t < 1950; t += 100) {
                assertThat(probe.audioRms(t, t + 100)).as("window at %d ms", t).isGreaterThan(0.25);
            }
            assertThat(probe.audioRms(2050, 3000)).isLessThan(0.001);
        }
    }

    @Test
    void soundAfterTheEndIsCut() {
        Path out = dir.resolve("cut.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            video(writer, 2000);
            writer.audio(1000, Tones.sine(440, 44100, 2, 3 * 44100), 0, 3 * 44100, 44100, 2);
            writer.finish(2000);
        }
        Mp4Info info = Mp4Probe.info(out);
        assertThat(info.audioDurationMs()).isCloseTo(2000, within(25L));
        assertThat(info.durationMs()).isCloseTo(2000, within(25L));
    }

    @Test
    void eightBitPcmWidensToSixteen() {
        byte[] l8 = {-128, -1, 0, 1, 127, 42};
        assertThat(Mp4Writer.fromL8(l8, 0, 5)).containsExactly((short) -32768, (short) -256, (short) 0,
                (short) 256, (short) 32512);
        byte[] l16 = {0x34, 0x12, (byte) 0xff, (byte) 0xff, 7};
        assertThat(Mp4Writer.fromL16(l16, 0, 5)).containsExactly((short) 0x1234, (short) -1);
    }

    @Test
    void rejectsImpossibleAudio() {
        try (Mp4Writer writer = new Mp4Writer(dir.resolve("bad.mp4"), VideoSettings.of(64, 48))) {
            assertThatThrownBy(() -> writer.audio(0, new short[10], 0, 10, 44100, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
            assertThatThrownBy(() -> writer.audio(0, new short[10], 0, 5, 100, 2))
                    .hasMessageContaining("sample rate");
            assertThatThrownBy(() -> writer.audio(0, new short[10], 0, 1, 44100, 9))
                    .hasMessageContaining("channels");
        }
    }

    @Test
    void neverLoadsLibavdevice() throws Exception {
        Path out = dir.resolve("natives.mp4");
        try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
            writer.audio(0, Tones.sine(440, 44100, 2, 4410), 0, 4410, 44100, 2);
            writer.finish(200);
        }
        try (Mp4Probe probe = Mp4Probe.open(out)) {
            probe.frameAt(0);
            probe.audioRms(0, 100);
        }
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertThat(maps).contains("libavformat").doesNotContain("libavdevice").doesNotContain("libxcb")
                .doesNotContain("libasound");
    }
}
