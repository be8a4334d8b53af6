import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.encode.Mp4Writer;
import io.videoworker.encode.VideoSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What silence costs on the AAC track: writes an MP4 of MINUTES (default 60) with one still picture and
 * 5 s of a 440 Hz tone at the start, so the rest of the audio track is silence padded by the writer up
 * to the end, and reports the CPU time of that write (process and writing thread), the file's bytes and
 * the audio track's length. Runs RUNS times (default 3) in one JVM; the first run includes JIT warm-up.
 *
 * Run: java -cp worker/target/video-worker.jar bench/SilenceBench.java [MINUTES] [RUNS]
 */
public class SilenceBench {
    public static void main(String[] args) throws Exception {
        long minutes = args.length > 0 ? Long.parseLong(args[0]) : 60;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long endMs = minutes * 60_000;
        int rate = 44100;
        short[] tone = new short[5 * rate * 2];
        for (int i = 0; i < tone.length / 2; i++) {
            short v = (short) Math.round(16384 * Math.sin(2 * Math.PI * 440 * i / rate));
            tone[2 * i] = v;
            tone[2 * i + 1] = v;
        }
        int[] pixels = new int[64 * 48];
        java.util.Arrays.fill(pixels, 0xff336699);
        Path dir = Files.createTempDirectory("silencebench");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int run = 1; run <= runs; run++) {
            Path out = dir.resolve("silence-" + run + ".mp4");
            long cpu0 = os.getProcessCpuTime();
            long thread0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long bytes;
            try (Mp4Writer writer = new Mp4Writer(out, VideoSettings.of(64, 48))) {
                writer.update(pixels, 64, 48, 0, 0, 64, 48);
                writer.emit(0);
                // in blob-sized pieces as guacd sends them
                for (int done = 0; done < tone.length / 2; done += 4410) {
                    writer.audio(done * 1000L / rate, tone, done * 2, Math.min(4410, tone.length / 2 - done), rate, 2);
                }
                bytes = writer.finish(endMs).bytes();
            }
            double wall = (System.nanoTime() - wall0) / 1e9;
            double thread = (threads.getCurrentThreadCpuTime() - thread0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            Mp4Info info = Mp4Probe.info(out);
            System.out.printf("run=%d minutes=%d cpu_process_s=%.2f cpu_thread_s=%.2f wall_s=%.2f bytes=%d "
                            + "audio_ms=%d duration_ms=%d%n", run, minutes, cpu, thread, wall, bytes,
                    info.audioDurationMs(), info.durationMs());
            Files.delete(out);
        }
        Files.delete(dir);
    }
}
