package io.videoworker.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long silence on the AAC track is copied, not encoded, and comes out as if it had been encoded. */
class AudioSilenceTest {

    private static final int RATE = AudioTrack.SAMPLE_RATE;
    private static final int FRAME = 1024;

    @TempDir
    Path dir;

    private record Written(Path file, long encoded, long copied) {
    }

    /** An audio-only MP4: {@code feed} adds the sound, then the track ends at {@code endMs}. */
    private Written write(String name, boolean copySilence, long endMs, Consumer<AudioTrack> feed) {
        Path out = dir.resolve(name);
        try (Mp4Muxer muxer = new Mp4Muxer(out, out, OutputWatch.NONE);
             AudioTrack track = new AudioTrack(muxer, out, copySilence)) {
            muxer.start();
            feed.accept(track);
            assertThat(track.finish(endMs)).isTrue();
            muxer.finish();
            return new Written(out, track.framesEncoded(), track.framesCopied());
        }
    }

    private static short[] noise(long seed, int channels, int frames, int amplitude) {
        Random random = new Random(seed);
        short[] out = new short[frames * channels];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) (random.nextInt(2 * amplitude + 1) - amplitude);
        }
        return out;
    }

    private static void add(AudioTrack track, long atMs, short[] pcm, int rate, int channels) {
        track.add(atMs, pcm, 0, pcm.length / channels, rate, channels);
        track.advance(atMs + pcm.length / channels * 1000L / rate);
    }

    private static float peak(PcmClip clip) {
        float peak = 0;
        for (float s : clip.samples()) {
            peak = Math.max(peak, Math.abs(s));
        }
        return peak;
    }

    /** Sample index (from the clip's start) of the first sample louder than {@code level}, or -1. */
    private static long firstLoud(PcmClip clip, float level) {
        float[] s = clip.samples();
        for (int i = 0; i < s.length; i++) {
            if (Math.abs(s[i]) > level) {
                return i / clip.channels();
            }
        }
        return -1;
    }

    private static void assertSamePackets(Path copied, Path encoded) {
        List<AudioPacket> a;
        List<AudioPacket> b;
        try (Mp4Probe pa = Mp4Probe.open(copied); Mp4Probe pb = Mp4Probe.open(encoded)) {
            a = pa.audioPackets();
            b = pb.audioPackets();
        }
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            AudioPacket x = a.get(i);
            AudioPacket y = b.get(i);
            assertThat(x.pts()).as("pts of packet %d", i).isEqualTo(y.pts());
            assertThat(x.duration()).as("duration of packet %d", i).isEqualTo(y.duration());
            assertThat(Arrays.equals(x.data(), y.data())).as("bytes of packet %d at %d", i, x.pts()).isTrue();
        }
    }

    @Test
    void toneTenMinutesOfSilenceToneAgain() {
        long secondMs = 602_000;
        long endMs = 605_000;
        Consumer<AudioTrack> feed = track -> {
            add(track, 0, Tones.sine(440, RATE, 2, 2 * RATE), RATE, 2);
            // the screen sits for ten minutes: the track is stretched by the gap before the next burst
            add(track, secondMs, Tones.sine(440, RATE, 2, 2 * RATE), RATE, 2);
        };
        Written copied = write("copied.mp4", true, endMs, feed);

        long samples = endMs * RATE / 1000;
        long frames = (samples + FRAME - 1) / FRAME;
        long silenceFrames = (secondMs - 2000) * RATE / 1000 / FRAME;
        // (b) the encoder saw the sound and a few frames of silence after each stretch began; the rest was copied
        assertThat(copied.encoded() + copied.copied()).isEqualTo(frames);
        assertThat(copied.copied()).isGreaterThan(silenceFrames - 2 * SilenceRun.SETTLE_FRAMES);
        assertThat(copied.encoded()).isLessThan(5 * RATE / FRAME + 2 * SilenceRun.SETTLE_FRAMES + 10);

        try (Mp4Probe probe = Mp4Probe.open(copied.file())) {
            Mp4Info info = probe.info();
            assertThat(info.audioCodec()).isEqualTo("aac");
            assertThat(info.audioDurationMs()).isEqualTo(endMs);
            List<AudioPacket> packets = probe.audioPackets();
            // one packet per frame (the encoder's priming packet is behind the edit list), back to back
            assertThat(packets.size()).isEqualTo(frames);
            long total = 0;
            for (int i = 0; i < packets.size(); i++) {
                assertThat(packets.get(i).pts()).as("packet %d", i).isEqualTo(total);
                total += packets.get(i).duration();
            }
            assertThat(total).isEqualTo(samples);

            assertThat(probe.audioRms(500, 1500)).isGreaterThan(0.3);
            // digital silence in the middle of the stretch and right up to the second tone
            assertThat(peak(probe.audio(300_000, 302_000))).isEqualTo(0f);
            assertThat(peak(probe.audio(2100, 3000))).isLessThan(1e-4f);
            assertThat(peak(probe.audio(590_000, secondMs - 30))).isEqualTo(0f);
            // the second tone starts where it was placed, give or take an AAC frame
            PcmClip around = probe.audio(secondMs - 100, secondMs + 100);
            long onset = firstLoud(around, 0.01f) - 100 * RATE / 1000;
            assertThat(onset).isBetween((long) -FRAME, (long) FRAME);
            assertThat(probe.audioRms(secondMs + 30, secondMs + 1970)).isCloseTo(0.3535, within(0.01));
            assertThat(peak(probe.audio(secondMs + 2100, endMs))).isLessThan(1e-4f);
        }

        // (c) without copying, the same packets: byte-identical, at the same times
        Written encoded = write("encoded.mp4", false, endMs, feed);
        assertThat(encoded.copied()).isZero();
        assertThat(encoded.encoded()).isEqualTo(frames);
        assertSamePackets(copied.file(), encoded.file());
    }

    @Test
    void copyingIsExactForAnySoundAroundTheSilence() {
        long endMs = 60_500;
        Consumer<AudioTrack> feed = track -> {
            add(track, 300, Tones.sine(440, RATE, 2, RATE), RATE, 2);
            // 150 ms gap: too short to settle
            add(track, 1450, noise(1, 2, RATE / 2, 12_000), RATE, 2);
            // 1 s gap, then telephone-rate mono (resampled), ending off a frame boundary
            add(track, 2950, Tones.sine(1000, 8000, 1, 7777), 8000, 1);
            // silence sent as sound: zeros inside a burst are copied too
            short[] zerosInside = Tones.sine(300, RATE, 2, 12 * RATE);
            Arrays.fill(zerosInside, 2 * RATE / 2, 2 * 11 * RATE, (short) 0);
            add(track, 8000, zerosInside, RATE, 2);
            // clicks (short windows), loud left-only sound, quiet noise
            short[] clicks = noise(2, 2, RATE, 200);
            for (int i = 0; i < clicks.length; i += 2 * 5000) {
                Arrays.fill(clicks, i, Math.min(clicks.length, i + 40), (short) 30_000);
            }
            add(track, 25_000, clicks, RATE, 2);
            short[] left = Tones.sine(3000, 48000, 2, 48000);
            for (int i = 1; i < left.length; i += 2) {
                left[i] = 0;
            }
            add(track, 40_000, left, 48000, 2);
            add(track, 52_000, noise(3, 2, RATE * 3, 30), RATE, 2);
            // the end falls in silence, in the middle of a frame
        };
        Written copied = write("varied-copied.mp4", true, endMs, feed);
        Written encoded = write("varied-encoded.mp4", false, endMs, feed);
        assertThat(copied.copied()).isGreaterThan(copied.encoded());
        assertThat(copied.encoded() + copied.copied()).isEqualTo(encoded.encoded());
        assertSamePackets(copied.file(), encoded.file());
        try (Mp4Probe a = Mp4Probe.open(copied.file()); Mp4Probe b = Mp4Probe.open(encoded.file())) {
            assertThat(a.info().audioDurationMs()).isEqualTo(endMs).isEqualTo(b.info().audioDurationMs());
            for (long t : new long[] {0, 1400, 2900, 8400, 19_000, 24_900, 39_950, 51_950, 59_000}) {
                assertThat(a.audio(t, t + 500).samples()).as("at %d ms", t).isEqualTo(b.audio(t, t + 500).samples());
            }
            assertThat(peak(a.audio(10_000, 18_000))).isEqualTo(0f);
        }
    }
}
