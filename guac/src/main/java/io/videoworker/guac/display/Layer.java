package io.videoworker.guac.display;

import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer ({@code index > 0}), the screen ({@code 0}) or an off-screen buffer ({@code < 0}):
 * premultiplied ARGB pixels plus its place in the tree and its drawing state.
 */
public final class Layer {
    final int index;
    int width;
    int height;
    int[] pixels = new int[0];

    // tree (visible layers)
    Layer parent;
    final List<Layer> children = new ArrayList<>(0);
    int x;
    int y;
    int z;
    int opacity = 255;
    long attachOrder;
    AffineTransform distort; // null = identity

    // drawing state
    final PathState path = new PathState();
    private BufferedImage image;

    Layer(int index) {
        this.index = index;
    }

    public int index() {
        return index;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Premultiplied ARGB, row-major, stride = width. */
    public int[] pixels() {
        return pixels;
    }

    public boolean isBuffer() {
        return index < 0;
    }

    /** Resizes keeping existing pixels at the top-left; new area is transparent. */
    void resize(int w, int h) {
        if (w == width && h == height) {
            return;
        }
        int[] next = new int[w * h];
        int cw = Math.min(w, width);
        int ch = Math.min(h, height);
        for (int row = 0; row < ch; row++) {
            System.arraycopy(pixels, row * width, next, row * w, cw);
        }
        pixels = next;
        width = w;
        height = h;
        image = null;
    }

    /** A Java2D view sharing this layer's pixels, for paths, strokes and transforms. */
    BufferedImage image() {
        if (image == null) {
            image = wrap(pixels, width, height);
        }
        return image;
    }

    /** A premultiplied ARGB image backed by {@code pixels} itself (w×h, stride w), not a copy. */
    static BufferedImage wrap(int[] pixels, int width, int height) {
        DirectColorModel cm = new DirectColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
                32, 0xFF0000, 0xFF00, 0xFF, 0xFF000000, true, java.awt.image.DataBuffer.TYPE_INT);
        DataBufferInt db = new DataBufferInt(pixels, pixels.length);
        SinglePixelPackedSampleModel sm = new SinglePixelPackedSampleModel(java.awt.image.DataBuffer.TYPE_INT,
                Math.max(1, width), Math.max(1, height), new int[] {0xFF0000, 0xFF00, 0xFF, 0xFF000000});
        WritableRaster raster = Raster.createWritableRaster(sm, db, null);
        return new BufferedImage(cm, raster, true, null);
    }

    long pixelCount() {
        return (long) width * height;
    }

    @Override
    public String toString() {
        return "layer " + index + " (" + width + "x" + height + ")";
    }
}
