package io.videoworker.encode;

/** Test sounds as interleaved 16-bit PCM. */
final class Tones {
    private Tones() {
    }

    /** {@code frames} sample frames of a sine at amplitude 0.5, the same on every channel. */
    static short[] sine(double hz, int rate, int channels, int frames) {
        short[] out = new short[frames * channels];
        for (int i = 0; i < frames; i++) {
            short v = (short) Math.round(16384 * Math.sin(2 * Math.PI * hz * i / rate));
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = v;
            }
        }
        return out;
    }
}
