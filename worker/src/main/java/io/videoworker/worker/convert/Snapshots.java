package io.videoworker.worker.convert;

import io.videoworker.guac.Frame;
import io.videoworker.guac.FrameSink;
import io.videoworker.guac.PlayerOptions;
import io.videoworker.guac.SessionPlayer;
import io.videoworker.guac.Warnings;
import io.videoworker.guac.display.Compositor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The display as a viewer saw it at chosen times: for each time MS (from the first sync), the
 * state after every instruction up to the last sync at or before MS, as non-premultiplied RGBA
 * (what a canvas' getImageData() gives). Plays without a frame-rate cap.
 */
public final class Snapshots implements FrameSink {
    private final long[] times;
    private final Map<Long, BufferedImage> taken = new LinkedHashMap<>();
    private int next;
    private int[] incoming = new int[0];
    private int inW;
    private int inH;
    private int[] shown;
    private int shownW;
    private int shownH;

    private Snapshots(long[] times) {
        this.times = times.clone();
        Arrays.sort(this.times);
    }

    /** Renders the input and returns one picture per time, in ascending time order. */
    public static Map<Long, BufferedImage> take(SessionInput input, long[] times, ConvertOptions options)
            throws InputException, IOException {
        for (long t : times) {
            if (t < 0) {
                throw new InputException("snapshot time " + t + " is negative");
            }
        }
        Snapshots sink = new Snapshots(times);
        PlayerOptions po = options.playerOptions().withMaxFps(0);
        try (SessionPlayer player = new SessionPlayer(po, sink, new Warnings())) {
            new Converter(options, Converter.Progress.NONE).play(input.parts(), player, input.totalBytes());
            if (!player.started()) {
                throw new InputException(input.parts().get(0).file() + ": the recording has no sync instruction");
            }
            player.finish();
        } catch (IllegalStateException e) {
            throw new InputException(input.parts().get(0).file() + ": " + e.getMessage(), e);
        }
        return sink.taken;
    }

    /** Writes one PNG to {@code out}, or several as {@code out/t<MS>.png}. */
    public static void write(Map<Long, BufferedImage> pictures, Path out) throws IOException {
        if (pictures.size() == 1) {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            writePng(pictures.values().iterator().next(), out);
            return;
        }
        Files.createDirectories(out);
        for (Map.Entry<Long, BufferedImage> e : pictures.entrySet()) {
            writePng(e.getValue(), out.resolve("t" + e.getKey() + ".png"));
        }
    }

    private static void writePng(BufferedImage img, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void prepare(Frame f) {
        int n = f.width() * f.height();
        if (incoming.length != n) {
            incoming = new int[n];
        }
        System.arraycopy(f.pixels(), 0, incoming, 0, n);
        inW = f.width();
        inH = f.height();
    }

    @Override
    public void show(long ms) {
        takeUntil(ms, false);
        int[] swap = shown;
        shown = incoming;
        shownW = inW;
        shownH = inH;
        incoming = swap == null || swap.length != shown.length ? new int[shown.length] : swap;
    }

    @Override
    public void end(long ms) {
        takeUntil(Long.MAX_VALUE, true);
    }

    /** Times before {@code until} see the picture shown now. */
    private void takeUntil(long until, boolean inclusive) {
        while (next < times.length && (times[next] < until || inclusive)) {
            if (shown == null) {
                throw new IllegalStateException("nothing was on screen yet at " + times[next] + " ms");
            }
            taken.put(times[next], toImage(shown, shownW, shownH));
            next++;
        }
    }

    private static BufferedImage toImage(int[] px, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] out = new int[px.length];
        for (int i = 0; i < px.length; i++) {
            out[i] = Compositor.unpremultiply(px[i]);
        }
        img.setRGB(0, 0, w, h, out, 0, w);
        return img;
    }
}
