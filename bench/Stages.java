import io.videoworker.worker.convert.ConversionResult;
import io.videoworker.worker.convert.ConvertOptions;
import io.videoworker.worker.convert.Converter;
import io.videoworker.worker.convert.SessionInput;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Warm, in-JVM stage split: converts each input RUNS times (default 5) in one JVM with the default
 * options and reports, for the last KEEP runs (default 3), the median wall, render (read + gunzip +
 * parse + image decode + draw), convert (ARGB to YUV) and encode (x264 + AAC + mux) times, so
 * that JVM start-up, JIT warm-up and native library loading are out of the figures.
 *
 * Run: java -cp worker/target/video-worker.jar bench/Stages.java [--runs N] [--keep K] FILE...
 * Prints one Markdown table on stdout (progress on stderr).
 */
public class Stages {
    public static void main(String[] args) throws Exception {
        int runs = 5, keep = 3;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--keep" -> keep = Integer.parseInt(args[++i]);
                default -> inputs.add(Path.of(args[i]));
            }
        }
        if (inputs.isEmpty() || keep < 1 || keep > runs) {
            System.err.println("usage: Stages [--runs N] [--keep K] FILE...");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("stages");
        System.out.println("| input | frames | video s | warm wall ms (runs " + (runs - keep + 1) + "–" + runs
                + ": median, min–max) | render ms | convert ms | encode ms | (render + convert) / encode "
                + "| CPU s (process) | video s / wall s | frames / wall s | first (cold) run ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Path in : inputs) {
            long[] wall = new long[keep], render = new long[keep], convert = new long[keep], encode = new long[keep];
            long[] cpu = new long[keep];
            long first = 0;
            ConversionResult last = null;
            for (int r = 0; r < runs; r++) {
                Path out = dir.resolve("out.mp4");
                long cpu0 = cpuMs();
                ConversionResult res = new Converter(ConvertOptions.DEFAULT, Converter.Progress.NONE)
                        .convert(SessionInput.resolve(List.of(in)), out);
                long cpuUsed = cpuMs() - cpu0;
                Files.deleteIfExists(out);
                System.err.printf("Stages: %s run %d: wall %d render %d convert %d encode %d ms, CPU %d ms%n",
                        label(in), r + 1, res.wallMs(), res.renderMs(), res.convertMs(), res.encodeMs(), cpuUsed);
                if (r == 0) {
                    first = res.wallMs();
                }
                int k = r - (runs - keep);
                if (k >= 0) {
                    wall[k] = res.wallMs();
                    render[k] = res.renderMs();
                    convert[k] = res.convertMs();
                    encode[k] = res.encodeMs();
                    cpu[k] = cpuUsed;
                }
                last = res;
            }
            long w = median(wall), rd = median(render), cv = median(convert), en = median(encode);
            System.out.printf("| %s | %d | %.1f | %d (%d–%d) | %d | %d | %d | %.2f | %.1f | %.1f | %.0f | %d |%n",
                    label(in), last.frames(), last.durationMs() / 1000.0, w, min(wall), max(wall), rd, cv, en,
                    en > 0 ? (double) (rd + cv) / en : Double.NaN, median(cpu) / 1000.0,
                    last.durationMs() / (double) w,
                    last.frames() * 1000.0 / w, first);
        }
        Files.deleteIfExists(dir);
    }

    /** File name without the recording suffixes; a Lion part is named after its sample folder. */
    static String label(Path p) {
        String name = p.getFileName().toString();
        if (name.matches(".*\\.\\d+\\.part(\\.gz)?") && p.toAbsolutePath().getParent() != null
                && p.toAbsolutePath().getParent().getParent() != null) {
            return p.toAbsolutePath().getParent().getParent().getFileName() + " (Lion part)";
        }
        return name.replaceAll("\\.(replay|guac)(\\.gz)?$", "");
    }

    /** CPU time of the whole process (all threads, x264's included), ms. */
    static long cpuMs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static long min(long[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static long max(long[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
