package io.videoworker.encode;

/**
 * One coded audio frame as stored in an MP4, timed in samples (at the stream's sample rate).
 *
 * @param data the coded bytes (compare with {@link java.util.Arrays#equals(byte[], byte[])})
 */
public record AudioPacket(long pts, long duration, byte[] data) {
}
