package io.videoworker.guac;

/**
 * Where a played recording goes. Times are milliseconds from the first {@code sync}.
 * The player calls {@link #prepare} when the picture changed and {@link #show} when the last
 * prepared picture starts to be on screen; the two are apart only when a frame-rate cap made a
 * picture wait for its slot.
 */
public interface FrameSink {
    /** The picture to show next; copy what you need, the frame's pixels are reused. */
    void prepare(Frame frame);

    /** The last prepared picture is on screen from {@code ms} on. */
    void show(long ms);

    /** PCM that arrived at {@code ms} (the time of the latest sync). */
    default void audio(long ms, short[] samples, int frames, AudioFormat format) {
    }

    /** The recording ends at {@code ms}: the last picture holds until then. */
    default void end(long ms) {
    }
}
