package io.videoworker.encode;

import java.awt.image.BufferedImage;
import java.util.Random;

/** A test canvas in the renderer's pixel layout: 0xAARRGGBB, row-major. */
final class Canvas {

    final int width;
    final int height;
    final int[] pixels;

    Canvas(int width, int height) {
        this.width = width;
        this.height = height;
        this.pixels = new int[width * height];
    }

    Canvas fill(int argb) {
        java.util.Arrays.fill(pixels, argb);
        return this;
    }

    Canvas rect(int x, int y, int w, int h, int argb) {
        for (int row = Math.max(0, y); row < Math.min(height, y + h); row++) {
            for (int col = Math.max(0, x); col < Math.min(width, x + w); col++) {
                pixels[row * width + col] = argb;
            }
        }
        return this;
    }

    /** Opaque random colours in blocks of {@code block} pixels (some texture, still compressible). */
    Canvas noise(long seed, int block) {
        Random random = new Random(seed);
        for (int by = 0; by < height; by += block) {
            for (int bx = 0; bx < width; bx += block) {
                rect(bx, by, block, block, 0xff000000 | random.nextInt(0x1000000));
            }
        }
        return this;
    }

    int rgb(int x, int y) {
        return pixels[y * width + x] & 0xffffff;
    }

    Canvas copy() {
        Canvas c = new Canvas(width, height);
        System.arraycopy(pixels, 0, c.pixels, 0, pixels.length);
        return c;
    }

    /** Mean absolute difference per channel between this canvas and the top-left of {@code image}. */
    double meanAbsError(BufferedImage image) {
        long sum = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                sum += channelDiff(rgb(x, y), image.getRGB(x, y) & 0xffffff);
            }
        }
        return sum / (3.0 * width * height);
    }

    static int channelDiff(int a, int b) {
        return Math.abs(((a >> 16) & 255) - ((b >> 16) & 255))
                + Math.abs(((a >> 8) & 255) - ((b >> 8) & 255))
                + Math.abs((a & 255) - (b & 255));
    }

    /** Largest single-channel difference between two RGB values. */
    static int maxChannelDiff(int a, int b) {
        return Math.max(Math.abs(((a >> 16) & 255) - ((b >> 16) & 255)),
                Math.max(Math.abs(((a >> 8) & 255) - ((b >> 8) & 255)), Math.abs((a & 255) - (b & 255))));
    }
}
