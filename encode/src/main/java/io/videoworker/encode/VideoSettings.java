package io.videoworker.encode;

/**
 * What the {@link Mp4Writer} produces.
 *
 * @param width              output width; an odd value is padded up to even with black (never cropped)
 * @param height             output height; padded like the width
 * @param x264               preset, tune, crf and options; crf is ignored when lossless
 * @param lossless           libx264rgb at qp 0 (exact RGB round trip); meant for tests of the normal path
 * @param keyframeIntervalFrames most frames from one keyframe to the next: a player seeking decodes
 *                              from the keyframe before the target, so this bounds a seek's work
 *                              whatever the time between frames (a still picture costs no frames)
 */
public record VideoSettings(int width, int height, X264Options x264, boolean lossless,
                            int keyframeIntervalFrames) {

    /** About 5 s of busy video at the 30 fps cap; a seek decodes at most this many frames. */
    public static final int DEFAULT_KEYFRAME_INTERVAL_FRAMES = 150;
    /** H.264 level 6.2 allows 139264 macroblocks per frame; x264 refuses more than 16384 per side anyway. */
    public static final int MAX_DIMENSION = 16384;

    public VideoSettings {
        if (width < 1 || width > MAX_DIMENSION || height < 1 || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("output size must be 1.." + MAX_DIMENSION + " per side, got "
                    + width + "x" + height);
        }
        if (x264 == null) {
            throw new IllegalArgumentException("x264 options are null");
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
        return new VideoSettings(width, height, X264Options.DEFAULT, false, DEFAULT_KEYFRAME_INTERVAL_FRAMES);
    }

    public VideoSettings withX264(X264Options newX264) {
        return new VideoSettings(width, height, newX264, lossless, keyframeIntervalFrames);
    }

    public VideoSettings withLossless(boolean newLossless) {
        return new VideoSettings(width, height, x264, newLossless, keyframeIntervalFrames);
    }

    public VideoSettings withKeyframeIntervalFrames(int newInterval) {
        return new VideoSettings(width, height, x264, lossless, newInterval);
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
