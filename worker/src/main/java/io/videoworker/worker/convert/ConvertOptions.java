package io.videoworker.worker.convert;

import io.videoworker.encode.VideoSettings;
import io.videoworker.guac.Limits;
import io.videoworker.guac.PlayerOptions;

/**
 * How to convert.
 *
 * @param width    output width, or 0 for the recording's own screen size
 * @param height   output height, or 0 likewise
 * @param maxFps   frame-rate cap (frames closer together are coalesced)
 * @param lossless RGB-exact encode (for verification)
 * @param cursor   draw the mouse pointer
 */
public record ConvertOptions(int width, int height, int crf, String preset, double maxFps, boolean lossless,
                             boolean cursor, Limits limits) {
    public static final ConvertOptions DEFAULT = new ConvertOptions(0, 0, VideoSettings.DEFAULT_CRF,
            VideoSettings.DEFAULT_PRESET, PlayerOptions.DEFAULT_MAX_FPS, false, true, Limits.DEFAULT);

    public PlayerOptions playerOptions() {
        return new PlayerOptions(maxFps, cursor, limits);
    }

    public ConvertOptions withLossless(boolean on) {
        return new ConvertOptions(width, height, crf, preset, maxFps, on, cursor, limits);
    }
}
