package io.videoworker.encode;

import java.nio.file.Path;

/**
 * What {@link Mp4Writer#finish(long)} wrote.
 *
 * @param file       the finished MP4
 * @param width      encoded width (even)
 * @param height     encoded height (even)
 * @param frames     video frames encoded (a still picture is one frame, however long)
 * @param durationMs length of the video, i.e. the {@code endMs} given to finish
 * @param hasAudio   whether the file has an audio track (only when audio was written)
 * @param bytes      size of the file
 */
public record Mp4Result(Path file, int width, int height, long frames, long durationMs, boolean hasAudio,
                        long bytes) {
}
