import io.videoworker.guac.Frame;
import io.videoworker.guac.FrameSink;
import io.videoworker.guac.PlayerOptions;
import io.videoworker.guac.SessionPlayer;
import io.videoworker.guac.Warnings;
import io.videoworker.guac.protocol.GuacReader;
import io.videoworker.guac.protocol.RecordingInput;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The colour conversion alone: plays a recording RUNS times (default 9) and times only the encoder's
 * Picture.update (no x264, so no contention with its threads), as thread CPU; prints the median of
 * runs 3.. and, from the first run, the damaged share of the canvas and how much of it really changed.
 * Picture is package-private: reached by reflection.
 *
 * Run: java -cp worker/target/video-worker.jar bench/PictureUpdate.java [--runs N] FILE
 */
public class PictureUpdate {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int runs = args.length == 3 && args[0].equals("--runs") ? Integer.parseInt(args[1]) : 9;
        Path in = Path.of(args[args.length - 1]);
        Class<?> picture = Class.forName("io.videoworker.encode.Picture");
        Constructor<?> open = picture.getDeclaredConstructor(int.class, int.class, boolean.class, Path.class);
        Method update = picture.getDeclaredMethod("update", int[].class, int.class, int.class, int[].class);
        Method close = picture.getDeclaredMethod("close");
        open.setAccessible(true);
        update.setAccessible(true);
        close.setAccessible(true);
        long[] cpuMs = new long[runs];
        for (int r = 0; r < runs; r++) {
            Run run = new Run(open, update, r == 0);
            try (SessionPlayer player = new SessionPlayer(PlayerOptions.DEFAULT, run, new Warnings());
                 GuacReader reader = RecordingInput.open(in)) {
                player.play(reader);
                player.finish();
            }
            close.invoke(run.picture);
            cpuMs[r] = run.cpuNanos / 1_000_000;
            if (r == 0) {
                System.err.printf("%s: %d frames; damaged %.1f %% of the canvas, of which %.1f %% changed%n",
                        in.getFileName(), run.frames, 100.0 * run.damaged / run.canvas, 100.0 * run.changed / run.damaged);
            }
        }
        long[] warm = Arrays.copyOfRange(cpuMs, Math.min(2, runs - 1), runs);
        Arrays.sort(warm);
        System.out.println(in.getFileName() + ": Picture.update thread CPU median " + warm[warm.length / 2]
                + " ms; runs " + Arrays.toString(cpuMs));
    }

    private static final class Run implements FrameSink {
        final Constructor<?> open;
        final Method update;
        final boolean count;
        Object picture;
        long cpuNanos;
        long frames;
        long canvas;
        long damaged;
        long changed;
        int[] previous;

        Run(Constructor<?> open, Method update, boolean count) {
            this.open = open;
            this.update = update;
            this.count = count;
        }

        @Override
        public void prepare(Frame f) {
            int[] d = f.dirty();
            if (d == null) {
                return;
            }
            try {
                if (picture == null) {
                    // as Mp4Writer sizes it: an odd side padded up to even (rounding down would take the scaler)
                    picture = open.newInstance(f.width() + (f.width() & 1), f.height() + (f.height() & 1), false,
                            Path.of("bench.mp4"));
                }
                if (count) {
                    count(f, d);
                }
                long t = THREADS.getCurrentThreadCpuTime();
                update.invoke(picture, f.pixels(), f.width(), f.height(), d);
                cpuNanos += THREADS.getCurrentThreadCpuTime() - t;
                frames++;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private void count(Frame f, int[] d) {
            int[] px = f.pixels();
            int size = f.width() * f.height();
            canvas += size;
            for (int i = 0; i < d.length; i += 4) {
                damaged += (long) d[i + 2] * d[i + 3];
            }
            if (previous == null || previous.length != size) {
                changed += size;
                previous = px.clone();
                return;
            }
            for (int p = 0; p < size; p++) {
                if (px[p] != previous[p]) {
                    changed++;
                }
            }
            System.arraycopy(px, 0, previous, 0, size);
        }

        @Override
        public void show(long ms) {
        }
    }
}
