package io.videoworker.guac;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Builds Guacamole protocol text for tests: {@code new Rec().op("size", 0, 4, 4).bytes()}. */
public final class Rec {
    private final StringBuilder sb = new StringBuilder();

    public Rec op(String opcode, Object... args) {
        element(opcode);
        for (Object a : args) {
            sb.append(',');
            element(String.valueOf(a));
        }
        sb.append(';');
        return this;
    }

    public Rec raw(String text) {
        sb.append(text);
        return this;
    }

    private void element(String v) {
        sb.append(v.codePointCount(0, v.length())).append('.').append(v);
    }

    public Rec sync(long ts) {
        return op("sync", ts);
    }

    /** A solid-colour PNG drawn with img/blob/end on stream 1. */
    public Rec png(int mask, int layer, int x, int y, int w, int h, int argb) {
        int[] px = new int[w * h];
        java.util.Arrays.fill(px, argb);
        return png(mask, layer, x, y, w, h, px);
    }

    public Rec png(int mask, int layer, int x, int y, int w, int h, int[] argb) {
        try {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_ARGB);
            img.setRGB(0, 0, w, h, argb, 0, w);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            javax.imageio.ImageIO.write(img, "png", out);
            String b64 = java.util.Base64.getEncoder().encodeToString(out.toByteArray());
            op("img", 1, mask, layer, "image/png", x, y);
            for (int i = 0; i < b64.length(); i += 8064) {
                op("blob", 1, b64.substring(i, Math.min(b64.length(), i + 8064)));
            }
            return op("end", 1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] bytes() {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public byte[] gzip() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public ByteArrayInputStream stream() {
        return new ByteArrayInputStream(bytes());
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
