package io.videoworker.guac;

/**
 * The screen as a viewer sees it at one moment: premultiplied ARGB, transparent where nothing
 * was painted, pointer included if asked for. Valid only during {@link FrameSink#prepare}.
 *
 * @param pixels row-major, stride = width
 * @param dirty  the part that may differ from the previously prepared frame: rectangles
 *               {x, y, w, h} one after another, at least one
 */
public record Frame(int[] pixels, int width, int height, int[] dirty) {
}
