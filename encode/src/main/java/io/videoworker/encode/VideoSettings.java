package io.videoworker.encode;

import java.util.Set;

/**
 * What the {@link Mp4Writer} produces.
 *
 * @param width              output width; an odd value is padded up to even with black (never cropped)
 * @param height             output height; padded like the width
 * @param crf                x264 constant rate factor, 0 (best) to 51 (worst); ignored when lossless
 * @param preset             x264 speed preset, e.g. "veryfast"
 * @param lossless           libx264rgb at qp 0 (exact RGB round trip); meant for tests of the normal path
 * @param keyframeIntervalFrames most frames from one keyframe to the next: a player seeking decodes
 *                              from the keyframe before the target, so this bounds a seek's work
 *                              whatever the time between frames (a still picture costs no frames)
 */
public record VideoSettings(int width, int height, int crf, String preset, boolean lossless,
                            int keyframeIntervalFrames) {

    /**
     * Chosen by measurement (docs/benchmarks.md): preset fast at crf 30 is smaller than veryfast at any
     * crf of equal quality, and still well above the quality of guacenc + x264 crf 23.
     */
    public static final int DEFAULT_CRF = 30;
    public static final String DEFAULT_PRESET = "fast";
    /** About 5 s of busy video at the 30 fps cap; a seek decodes at most this many frames. */
    public static final int DEFAULT_KEYFRAME_INTERVAL_FRAMES = 150;
    /** H.264 level 6.2 allows 139264 macroblocks per frame; x264 refuses more than 16384 per side anyway. */
    public static final int MAX_DIMENSION = 16384;

    private static final Set<String> PRESETS = Set.of("ultrafast", "superfast", "veryfast", "faster", "fast",
            "medium", "slow", "slower", "veryslow", "placebo");

    public VideoSettings {
        if (width < 1 || width > MAX_DIMENSION || height < 1 || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("output size must be 1.." + MAX_DIMENSION + " per side, got "
                    + width + "x" + height);
        }
        if (crf < 0 || crf > 51) {
            throw new IllegalArgumentException("crf must be 0..51, got " + crf);
        }
        if (preset == null || !PRESETS.contains(preset)) {
            throw new IllegalArgumentException("preset must be one of " + PRESETS + ", got " + preset);
        }
        if (keyframeIntervalFrames < 1 || keyframeIntervalFrames > 100_000) {
            throw new IllegalArgumentException("keyframeIntervalFrames must be 1..100000, got " + keyframeIntervalFrames);
        }
        if ((long) even(width) * even(height) > 139264L * 256) {
            throw new IllegalArgumentException("output " + width + "x" + height
                    + " exceeds the largest H.264 frame (139264 macroblocks)");
        }
    }

    /** Default quality and speed at the given output size. */
    public static VideoSettings of(int width, int height) {
        return new VideoSettings(width, height, DEFAULT_CRF, DEFAULT_PRESET, false, DEFAULT_KEYFRAME_INTERVAL_FRAMES);
    }

    public VideoSettings withCrf(int newCrf) {
        return new VideoSettings(width, height, newCrf, preset, lossless, keyframeIntervalFrames);
    }

    public VideoSettings withPreset(String newPreset) {
        return new VideoSettings(width, height, crf, newPreset, lossless, keyframeIntervalFrames);
    }

    public VideoSettings withLossless(boolean newLossless) {
        return new VideoSettings(width, height, crf, preset, newLossless, keyframeIntervalFrames);
    }

    public VideoSettings withKeyframeIntervalFrames(int newInterval) {
        return new VideoSettings(width, height, crf, preset, lossless, newInterval);
    }

    /** Width of the encoded picture: 4:2:0 chroma needs an even size. */
    public int outputWidth() {
        return even(width);
    }

    /** Height of the encoded picture: 4:2:0 chroma needs an even size. */
    public int outputHeight() {
        return even(height);
    }

    static int even(int n) {
        return n + (n & 1);
    }
}
