package io.videoworker.guac;

import java.util.Locale;

/** A PCM format from an {@code audio} mimetype such as {@code audio/L16;rate=44100,channels=2}. */
public record AudioFormat(int bits, int rate, int channels) {
    /** guacd files lack the audio instruction; the part of the same recording announces this. */
    public static final AudioFormat DEFAULT = new AudioFormat(16, 44100, 2);

    /** Parses a mimetype; null if it is not audio/L8 or audio/L16 with sane parameters. */
    public static AudioFormat parse(String mimetype) {
        String[] parts = mimetype.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        int bits = type.equals("audio/l16") ? 16 : type.equals("audio/l8") ? 8 : 0;
        if (bits == 0) {
            return null;
        }
        int rate = 44100;
        int channels = 1;
        for (int i = 1; i < parts.length; i++) {
            for (String param : parts[i].split(",")) {
                String[] kv = param.split("=", 2);
                if (kv.length != 2) {
                    continue;
                }
                try {
                    int v = Integer.parseInt(kv[1].trim());
                    switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                        case "rate" -> rate = v;
                        case "channels" -> channels = v;
                        default -> { }
                    }
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        if (rate < 1000 || rate > 192000 || channels < 1 || channels > 8) {
            return null;
        }
        return new AudioFormat(bits, rate, channels);
    }

    /** Converts raw PCM bytes (L16 is little-endian, as guacd sends it) to 16-bit samples. */
    public short[] toSamples(byte[] data, int length) {
        if (bits == 8) {
            short[] out = new short[length];
            for (int i = 0; i < length; i++) {
                out[i] = (short) (data[i] << 8);
            }
            return out;
        }
        short[] out = new short[length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) ((data[2 * i] & 0xFF) | (data[2 * i + 1] << 8));
        }
        return out;
    }

    public int bytesPerFrame() {
        return bits / 8 * channels;
    }
}
