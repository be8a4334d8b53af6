package io.videoworker.guac;

/**
 * @param maxFps     frame-rate cap: pictures closer together are coalesced (0 = no cap)
 * @param cursor     draw the mouse pointer into frames
 * @param limits     resource bounds
 */
public record PlayerOptions(double maxFps, boolean cursor, Limits limits) {
    public static final double DEFAULT_MAX_FPS = 30;
    public static final PlayerOptions DEFAULT = new PlayerOptions(DEFAULT_MAX_FPS, true, Limits.DEFAULT);

    public PlayerOptions {
        if (maxFps < 0 || Double.isNaN(maxFps)) {
            throw new IllegalArgumentException("max fps must be ≥ 0");
        }
    }

    public PlayerOptions withMaxFps(double fps) {
        return new PlayerOptions(fps, cursor, limits);
    }

    public PlayerOptions withCursor(boolean on) {
        return new PlayerOptions(maxFps, on, limits);
    }

    double intervalMs() {
        return maxFps == 0 ? 0 : 1000.0 / maxFps;
    }
}
