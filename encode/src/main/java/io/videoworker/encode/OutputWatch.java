package io.videoworker.encode;

/**
 * Told after every packet an {@link Mp4Writer} hands to its file: the caller's chance to stop a
 * file that grows past a bound, or a disk that runs low, while it is written rather than after.
 * Whatever it throws stops the writer; {@link Mp4Writer#close} then removes the partial file.
 */
@FunctionalInterface
public interface OutputWatch {
    OutputWatch NONE = (total, packet, inFile) -> { };

    /**
     * @param totalBytes  all packet bytes of this file so far (the index the trailer adds is not counted)
     * @param packetBytes the latest packet's size
     * @param inFileBytes bytes in the file now: the muxer holds packets back to interleave the tracks (up
     *                    to 10 s of video while a declared track waits for its first packet), so the
     *                    rest of {@code totalBytes} is still to reach the disk
     */
    void written(long totalBytes, int packetBytes, long inFileBytes);
}
