import io.videoworker.encode.Mp4Probe;
import io.videoworker.encode.VideoPacket;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Quality of an encode against the lossless render of the same recording: mean and minimum SSIM
 * (luma, 8x8 windows) and PSNR over up to 60 frames spread over the video.
 * Run: java -cp worker/target/video-worker.jar bench/Quality.java ENCODED.mp4 LOSSLESS.mp4
 */
public class Quality {
    public static void main(String[] args) throws Exception {
        try (Mp4Probe enc = Mp4Probe.open(Path.of(args[0])); Mp4Probe ref = Mp4Probe.open(Path.of(args[1]))) {
            // compare midway between the reference's changes, where both encodes must show the same state
            List<VideoPacket> packets = ref.videoPackets();
            List<Long> times = new java.util.ArrayList<>();
            for (int i = 0; i + 1 < packets.size(); i++) {
                long a = packets.get(i).ptsMs(), b = packets.get(i + 1).ptsMs();
                if (b - a >= 100) {
                    times.add((a + b) / 2);
                }
            }
            int n = Math.min(60, times.size());
            double sum = 0, min = 1, mse = 0;
            for (int i = 0; i < n; i++) {
                long t = times.get((int) ((long) i * times.size() / n));
                BufferedImage a = enc.frameAt(t), b = ref.frameAt(t);
                double s = ssim(a, b);
                sum += s;
                min = Math.min(min, s);
                mse += mse(a, b);
            }
            double psnr = 10 * Math.log10(255.0 * 255.0 / Math.max(1e-9, mse / n));
            System.out.printf("ssim_mean=%.5f ssim_min=%.5f psnr=%.2f frames=%d%n", sum / n, min, psnr, n);
        }
    }

    static double mse(BufferedImage a, BufferedImage b) {
        double s = 0;
        int w = a.getWidth(), h = a.getHeight();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            double d = luma(a.getRGB(x, y)) - luma(b.getRGB(x, y));
            s += d * d;
        }
        return s / (w * h);
    }

    static double ssim(BufferedImage a, BufferedImage b) {
        int w = a.getWidth(), h = a.getHeight();
        double c1 = Math.pow(0.01 * 255, 2), c2 = Math.pow(0.03 * 255, 2), sum = 0;
        int windows = 0;
        for (int y0 = 0; y0 + 8 <= h; y0 += 8) for (int x0 = 0; x0 + 8 <= w; x0 += 8) {
            double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;
            double[] la = new double[64], lb = new double[64];
            for (int i = 0; i < 64; i++) {
                la[i] = luma(a.getRGB(x0 + i % 8, y0 + i / 8));
                lb[i] = luma(b.getRGB(x0 + i % 8, y0 + i / 8));
                ma += la[i];
                mb += lb[i];
            }
            ma /= 64; mb /= 64;
            for (int i = 0; i < 64; i++) {
                va += (la[i] - ma) * (la[i] - ma);
                vb += (lb[i] - mb) * (lb[i] - mb);
                cov += (la[i] - ma) * (lb[i] - mb);
            }
            va /= 63; vb /= 63; cov /= 63;
            sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows++;
        }
        return sum / windows;
    }

    static double luma(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
    }
}
