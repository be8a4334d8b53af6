package io.videoworker.guac;

/**
 * Bounds that keep a corrupt or hostile recording from exhausting memory: anything past them is
 * refused with a clear message instead of an OutOfMemoryError.
 *
 * @param maxSide        widest or tallest layer, buffer or image, in pixels
 * @param maxLayerPixels pixels of one layer, buffer or image (8K UHD fits)
 * @param maxTotalPixels pixels of all layers and buffers together
 * @param maxLayers      layers and buffers alive at once
 * @param maxImageBytes  encoded bytes of one image stream
 * @param maxStreams     streams open at once
 */
public record Limits(int maxSide, long maxLayerPixels, long maxTotalPixels, int maxLayers,
                     int maxImageBytes, int maxStreams) {

    /** Sized to this JVM's heap (see {@link #forHeap}). */
    public static final Limits DEFAULT = forHeap(Runtime.getRuntime().maxMemory());

    /**
     * Limits that a heap of {@code maxHeapBytes} can honour. All layers together hold at most a
     * 32nd of it in pixels (4 bytes each: an eighth of the heap), because the worst moment holds
     * about three times that (the layers, plus a decoded image and its decoder's raster, or the
     * composed frame and a nested layer's copy), and pictures this large live in the old
     * generation, two thirds of a serial heap, next to everything else. The image streams get a
     * sixteenth each (held twice while decoding). One layer at most 8K UHD. The fuzz suite checks
     * all this at 256 MiB.
     */
    public static Limits forHeap(long maxHeapBytes) {
        long total = Math.max(1920L * 1080, Math.min(96L << 20, maxHeapBytes / 32));
        long layer = Math.min(7680L * 4320, total);
        return new Limits(8192, layer, total, 4096, (int) Math.min(64 << 20, maxHeapBytes / 16), 4096);
    }

    public Limits {
        if (maxSide <= 0 || maxLayerPixels <= 0 || maxTotalPixels < maxLayerPixels || maxLayers <= 0
                || maxImageBytes <= 0 || maxStreams <= 0) {
            throw new IllegalArgumentException("limits must be positive and total ≥ per layer");
        }
    }
}
