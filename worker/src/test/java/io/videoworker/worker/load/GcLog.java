package io.videoworker.worker.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap figures from a JVM's {@code -Xlog:gc} file. Used heap only falls at a collection, so the
 * largest "before" value of any collection is the peak the collector saw; the committed size is
 * what the heap took from the OS.
 */
record GcLog(int collections, long peakUsedMib, long peakCommittedMib) {
    private static final Pattern PAUSE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    static GcLog read(Path file) throws IOException {
        int n = 0;
        long used = 0;
        long committed = 0;
        for (String line : Files.readAllLines(file)) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                n++;
                used = Math.max(used, Long.parseLong(m.group(1)));
                committed = Math.max(committed, Long.parseLong(m.group(3)));
            }
        }
        return new GcLog(n, used, committed);
    }
}
