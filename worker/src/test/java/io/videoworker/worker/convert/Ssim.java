package io.videoworker.worker.convert;

import java.awt.image.BufferedImage;

/** Structural similarity of two pictures' luma, over 8×8 windows (Wang et al. 2004 constants). */
final class Ssim {
    private Ssim() {
    }

    static double of(BufferedImage a, BufferedImage b) {
        int w = Math.min(a.getWidth(), b.getWidth());
        int h = Math.min(a.getHeight(), b.getHeight());
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double sum = 0;
        int windows = 0;
        for (int y0 = 0; y0 + 8 <= h; y0 += 8) {
            for (int x0 = 0; x0 + 8 <= w; x0 += 8) {
                double ma = 0;
                double mb = 0;
                double[] la = new double[64];
                double[] lb = new double[64];
                for (int i = 0; i < 64; i++) {
                    la[i] = luma(a.getRGB(x0 + i % 8, y0 + i / 8));
                    lb[i] = luma(b.getRGB(x0 + i % 8, y0 + i / 8));
                    ma += la[i];
                    mb += lb[i];
                }
                ma /= 64;
                mb /= 64;
                double va = 0;
                double vb = 0;
                double cov = 0;
                for (int i = 0; i < 64; i++) {
                    va += (la[i] - ma) * (la[i] - ma);
                    vb += (lb[i] - mb) * (lb[i] - mb);
                    cov += (la[i] - ma) * (lb[i] - mb);
                }
                va /= 63;
                vb /= 63;
                cov /= 63;
                sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                windows++;
            }
        }
        return sum / windows;
    }

    private static double luma(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
    }
}
