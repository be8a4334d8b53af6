package io.videoworker.encode;

/**
 * Told after every packet an {@link Mp4Writer} hands to its file: the caller's chance to stop a
 * file that grows past a bound, or a disk that runs low, while it is written rather than after.
 * Whatever it throws stops the writer; {@link Mp4Writer#close} then removes the partial file.
 */
@FunctionalInterface
public interface OutputWatch {
    OutputWatch NONE = (total, packet) -> { };

    /**
     * @param totalBytes  all packet bytes of this file so far (the index the trailer adds is not counted)
     * @param packetBytes the latest packet's size
     */
    void written(long totalBytes, int packetBytes);
}
