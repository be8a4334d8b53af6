/**
 * Frames and PCM in, H.264/AAC MP4 out, through libx264 and FFmpeg in-process (bytedeco bindings).
 *
 * <ul>
 *   <li>{@link io.videoworker.encode.Mp4Writer}: one output file; picture updates by damaged rectangle,
 *       variable-frame-rate emission with a keyframe every so many frames (a still picture costs nothing per second), audio placed on the video timeline.</li>
 *   <li>{@link io.videoworker.encode.VideoSettings}: size, quality, speed, keyframe interval.</li>
 *   <li>{@link io.videoworker.encode.Mp4Probe}: reads an MP4 back (facts, box order, pictures, loudness) to
 *       check an output before publishing, and for tests.</li>
 * </ul>
 *
 * <p>Internals: {@code Picture} keeps the encoder's frame and converts with {@code Bt601} (Java, damaged
 * rectangles only) or scales with swscale (letterbox); {@code VideoTrack} and {@code AudioTrack} own the
 * encoders; {@code Mp4Muxer} the container. Nothing here loads libavdevice.
 */
package io.videoworker.encode;
