package io.videoworker.worker.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The load test's figures as a Markdown table (worker/target/load-report.md) for bench/load.sh and the docs. */
final class LoadReport {
    private final List<String[]> rows = new ArrayList<>();
    private final String loadAtStart = loadAverage();

    void add(String figure, String format, Object... args) {
        rows.add(new String[] {figure, String.format(Locale.ROOT, format, args)});
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.ceil(p / 100 * sorted.size()) - 1);
    }

    static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Load test (LoadTest)\n\n");
        sb.append(String.format(Locale.ROOT, "%s; %d cores, %.1f GiB RAM; load average at start %s, at end %s%n%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                memTotalKib() / 1024.0 / 1024.0, loadAtStart, loadAverage()));
        sb.append("| figure | value |\n|---|---|\n");
        for (String[] r : rows) {
            sb.append("| ").append(r[0]).append(" | ").append(r[1]).append(" |\n");
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long memTotalKib() {
        return ProcessWatch.statusField(Path.of("/proc/meminfo"), "MemTotal:");
    }
}
