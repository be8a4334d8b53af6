package io.videoworker.worker.convert;

import io.videoworker.encode.X264Options;
import io.videoworker.guac.Limits;
import io.videoworker.guac.PlayerOptions;

/**
 * How to convert.
 *
 * @param width    output width, or 0 for the recording's own screen size
 * @param height   output height, or 0 likewise
 * @param x264     encoder preset, tune, crf and options
 * @param maxFps   frame-rate cap (frames closer together are coalesced)
 * @param lossless RGB-exact encode (for verification)
 * @param cursor   draw the mouse pointer
 */
public record ConvertOptions(int width, int height, X264Options x264, double maxFps, boolean lossless,
                             boolean cursor, Limits limits) {
    public static final ConvertOptions DEFAULT = new ConvertOptions(0, 0, X264Options.DEFAULT,
            PlayerOptions.DEFAULT_MAX_FPS, false, true, Limits.DEFAULT);

    public PlayerOptions playerOptions() {
        return new PlayerOptions(maxFps, cursor, limits);
    }

    public ConvertOptions withLossless(boolean on) {
        return new ConvertOptions(width, height, x264, maxFps, on, cursor, limits);
    }

    public ConvertOptions withX264(X264Options other) {
        return new ConvertOptions(width, height, other, maxFps, lossless, cursor, limits);
    }
}
