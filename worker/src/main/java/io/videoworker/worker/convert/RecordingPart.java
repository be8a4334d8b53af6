package io.videoworker.worker.convert;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One input file of a session: a Lion part {@code <sid>.<n>.part[.gz]} or a whole recording.
 *
 * @param number part number, or -1 for a whole recording
 * @param start  first sync timestamp from replay.json, or -1 if unknown
 * @param end    last sync timestamp from replay.json, or -1 if unknown
 */
public record RecordingPart(Path file, String sessionId, int number, long start, long end) {
    private static final Pattern PART = Pattern.compile("(.+)\\.(\\d{1,9})\\.part(\\.gz)?");

    /** Recognises a Lion part name; a whole recording otherwise. */
    public static RecordingPart of(Path file) {
        String name = file.getFileName().toString();
        Matcher m = PART.matcher(name);
        if (m.matches()) {
            return new RecordingPart(file, m.group(1), Integer.parseInt(m.group(2)), -1, -1);
        }
        String sid = name.replaceFirst("(\\.replay)?(\\.gz|\\.guac)?$", "");
        return new RecordingPart(file, sid, -1, -1, -1);
    }

    public boolean isPart() {
        return number >= 0;
    }

    public String name() {
        return file.getFileName().toString();
    }

    /** {@code <sid>.<n>.part.mp4} for a part. */
    public String mp4Name() {
        return sessionId + "." + number + ".part.mp4";
    }

    public RecordingPart withTimes(long s, long e) {
        return new RecordingPart(file, sessionId, number, s, e);
    }
}
