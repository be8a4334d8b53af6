import io.videoworker.encode.Mp4Probe;
import io.videoworker.encode.VideoPacket;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Quality of an encode against the lossless render of the same recording: mean and minimum SSIM
 * (luma, 8x8 windows) and PSNR over up to 60 frames spread over the video.
 *
 * <p>The frames are taken midway between the lossless render's changes, where any faithful encode
 * shows the same state: between changes at least 100 ms apart, or, on busy content with fewer than
 * 30 of those, between any two changes at least 20 ms apart (an encode with our timing shows the
 * same frame there; one on another clock, such as guacenc's 25 fps, may not).
 *
 * Run: java -cp worker/target/video-worker.jar bench/Quality.java ENCODED.mp4 LOSSLESS.mp4
 * (bench/Frontier.java uses it as a class: one Reference per recording, scored against many encodes).
 */
public class Quality {
    public static void main(String[] args) throws Exception {
        Score s = new Reference(Path.of(args[1])).score(Path.of(args[0]));
        System.out.printf("ssim_mean=%.5f ssim_min=%.5f psnr=%.2f frames=%d%n", s.ssimMean(), s.ssimMin(), s.psnr(),
                s.frames());
    }

    public record Score(double ssimMean, double ssimMin, double psnr, int frames) {
    }

    /** The lossless render's luma at the sample times, read once. */
    public static final class Reference {
        private final long[] times;
        private final List<double[]> luma = new ArrayList<>();
        private int width;
        private int height;

        public Reference(Path lossless) {
            try (Mp4Probe ref = Mp4Probe.open(lossless)) {
                times = sampleTimes(ref.videoPackets());
                ref.framesAt(times, (image, t) -> luma.add(luma(image)));
            }
        }

        public Score score(Path encoded) {
            double[] sum = new double[3];
            double[] min = {1};
            int[] i = {0};
            try (Mp4Probe enc = Mp4Probe.open(encoded)) {
                enc.framesAt(times, (image, t) -> {
                    double[] a = luma(image), b = luma.get(i[0]++);
                    double s = ssim(a, b, width, height);
                    sum[0] += s;
                    min[0] = Math.min(min[0], s);
                    sum[1] += mse(a, b);
                });
            }
            int n = times.length;
            return new Score(sum[0] / n, min[0], 10 * Math.log10(255.0 * 255.0 / Math.max(1e-9, sum[1] / n)), n);
        }

        private double[] luma(BufferedImage image) {
            width = image.getWidth();
            height = image.getHeight();
            int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
            double[] l = new double[rgb.length];
            for (int k = 0; k < rgb.length; k++) {
                l[k] = Quality.luma(rgb[k]);
            }
            return l;
        }
    }

    static long[] sampleTimes(List<VideoPacket> packets) {
        List<Long> pts = packets.stream().map(VideoPacket::ptsMs).sorted().toList();
        List<Long> times = midpoints(pts, 100);
        if (times.size() < 30) {
            times = midpoints(pts, 20);
        }
        int n = Math.min(60, times.size());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = times.get((int) ((long) i * times.size() / n));
        }
        return out;
    }

    private static List<Long> midpoints(List<Long> pts, long minGap) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i + 1 < pts.size(); i++) {
            long a = pts.get(i), b = pts.get(i + 1);
            if (b - a >= minGap) {
                times.add((a + b) / 2);
            }
        }
        return times;
    }

    static double mse(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return s / a.length;
    }

    static double ssim(double[] a, double[] b, int w, int h) {
        double c1 = Math.pow(0.01 * 255, 2), c2 = Math.pow(0.03 * 255, 2), sum = 0;
        int windows = 0;
        double[] la = new double[64], lb = new double[64];
        for (int y0 = 0; y0 + 8 <= h; y0 += 8) for (int x0 = 0; x0 + 8 <= w; x0 += 8) {
            double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;
            for (int i = 0; i < 64; i++) {
                la[i] = a[(y0 + i / 8) * w + x0 + i % 8];
                lb[i] = b[(y0 + i / 8) * w + x0 + i % 8];
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
