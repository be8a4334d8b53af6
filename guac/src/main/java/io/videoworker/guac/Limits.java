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

    public static final Limits DEFAULT = new Limits(8192, 7680L * 4320, 96L << 20, 4096, 64 << 20, 4096);

    public Limits {
        if (maxSide <= 0 || maxLayerPixels <= 0 || maxTotalPixels < maxLayerPixels || maxLayers <= 0
                || maxImageBytes <= 0 || maxStreams <= 0) {
            throw new IllegalArgumentException("limits must be positive and total ≥ per layer");
        }
    }
}
