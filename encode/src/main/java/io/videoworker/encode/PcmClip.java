package io.videoworker.encode;

/**
 * Decoded audio: interleaved float samples in [-1, 1].
 *
 * @param startMs    time of the first sample frame
 * @param sampleRate samples per second per channel
 * @param channels   channels per sample frame
 * @param samples    interleaved samples, {@code frames() * channels} of them
 */
public record PcmClip(long startMs, int sampleRate, int channels, float[] samples) {

    public int frames() {
        return channels == 0 ? 0 : samples.length / channels;
    }

    /** Root mean square over all samples of all channels; 0 for an empty clip. */
    public double rms() {
        if (samples.length == 0) {
            return 0;
        }
        double sum = 0;
        for (float s : samples) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / samples.length);
    }
}
