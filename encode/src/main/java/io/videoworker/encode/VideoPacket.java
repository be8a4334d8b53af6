package io.videoworker.encode;

/**
 * One coded video frame as stored in an MP4, in presentation and decoding time.
 *
 * @param key whether a decoder can start here (the packet's key flag)
 */
public record VideoPacket(long ptsMs, long dtsMs, boolean key, int size) {
}
