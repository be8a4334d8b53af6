package io.videoworker.guac;

/**
 * The screen as a viewer sees it at one moment: premultiplied ARGB, transparent where nothing
 * was painted, pointer included if asked for. Valid only during {@link FrameSink#prepare}.
 *
 * @param pixels row-major, stride = width
 * @param dirty  {x, y, w, h}: the part that may differ from the previously prepared frame
 */
public record Frame(int[] pixels, int width, int height, int[] dirty) {
}
