package io.videoworker.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.encode.Mp4Info;
import io.videoworker.encode.Mp4Probe;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** What the spool and the replay folder must look like after any crash, once the work is done. */
final class SpoolChecks {
    private SpoolChecks() {
    }

    /** task.json as the worker last wrote it. */
    static Task onDisk(Path data, String taskId) throws IOException {
        return Spool.JSON.readValue(data.resolve("tasks").resolve(taskId).resolve("task.json").toFile(), Task.class);
    }

    /** Moves a stopped worker's clock back: the task looks as if nothing arrived for {@code millis}. */
    static void age(Path data, String taskId, long millis) throws IOException {
        Path file = data.resolve("tasks").resolve(taskId).resolve("task.json");
        ObjectNode json = (ObjectNode) Spool.JSON.readTree(file.toFile());
        for (String field : List.of("createdAt", "lastUploadAt", "updatedAt")) {
            json.put(field, json.path(field).asLong() - millis);
        }
        Files.write(file, Spool.JSON.writeValueAsBytes(json));
    }

    /**
     * No orphans: every task folder has its task.json; a finished task keeps only task.json and
     * task.log; a task still receiving keeps only its received parts; nothing temporary anywhere.
     */
    static void assertNoLeftovers(Path data) throws IOException {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(data.resolve("tasks"))) {
            for (Path d : dirs.toList()) {
                if (d.getFileName().toString().equals(Spool.BY_SESSION)) {
                    try (Stream<Path> links = Files.list(d)) { // every link leads to a task; no temporary link left
                        links.filter(l -> !Files.isSymbolicLink(l) || !Files.exists(l.resolve("task.json")))
                                .forEach(l -> problems.add(Spool.BY_SESSION + "/" + l.getFileName() + ": not a link to a task"));
                    }
                    continue;
                }
                if (!Files.exists(d.resolve("task.json"))) {
                    problems.add(d.getFileName() + ": no task.json");
                    continue;
                }
                Task t = onDisk(data, d.getFileName().toString());
                Set<String> allowed = new TreeSet<>(List.of("task.json", "task.log"));
                if (t.state == TaskState.RECEIVING) {
                    allowed.addAll(List.of("in", "out"));
                    t.files.stream().filter(f -> f.received).map(f -> "in/" + f.name).forEach(allowed::add);
                }
                try (Stream<Path> files = Files.walk(d)) {
                    for (Path f : files.toList()) {
                        String rel = d.relativize(f).toString();
                        if (!rel.isEmpty() && !allowed.contains(rel)) {
                            problems.add(d.getFileName() + " (" + t.state.json() + "): " + rel);
                        }
                    }
                }
            }
        }
        assertThat(problems).as("leftovers in the spool").isEmpty();
    }

    /** Nothing hidden or temporary anywhere under replays/ (a half copy is always hidden). */
    static void assertNoHiddenFiles(Path replays) throws IOException {
        try (Stream<Path> files = Files.walk(replays)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".")
                    || p.getFileName().toString().endsWith(".partial")).toList()).as("temporary files in " + replays).isEmpty();
        }
    }

    /**
     * Exactly these objects are in the session's folder, the MP4s complete with the frames
     * expected, and the replay.json lists exactly the MP4s in order.
     */
    static void assertPartsPublished(Path replays, String date, String sid, List<Long> framesPerPart) throws IOException {
        Path dir = replays.resolve(date).resolve(sid);
        List<String> mp4s = new ArrayList<>();
        for (int i = 0; i < framesPerPart.size(); i++) {
            mp4s.add(sid + "." + i + ".part.mp4");
        }
        List<String> expected = new ArrayList<>(mp4s);
        expected.add(sid + ".replay.json");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("objects of " + sid)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        JsonNode json = Spool.JSON.readTree(dir.resolve(sid + ".replay.json").toFile());
        assertThat(json.path("type").asText()).isEqualTo("mp4");
        List<String> listed = new ArrayList<>();
        json.path("files").forEach(f -> listed.add(f.path("name").asText()));
        assertThat(listed).containsExactlyElementsOf(mp4s);
        for (int i = 0; i < mp4s.size(); i++) {
            assertCompleteMp4(dir.resolve(mp4s.get(i)), framesPerPart.get(i));
        }
    }

    /** A whole MP4: its boxes end exactly at the end of the file, moov first, every frame there. */
    static void assertCompleteMp4(Path mp4, long frames) throws IOException {
        assertThat(boxesEndAt(mp4)).as(mp4 + ": top-level boxes end exactly at the end of the file").isEqualTo(Files.size(mp4));
        Mp4Info info = Mp4Probe.info(mp4);
        assertThat(info.videoCodec()).isEqualTo("h264");
        assertThat(info.moovBeforeMdat()).isTrue();
        assertThat(info.videoFrames()).as(mp4 + " frames").isEqualTo(frames);
        try (Mp4Probe probe = Mp4Probe.open(mp4)) {
            assertThat(probe.videoPackets()).as(mp4 + ": every frame readable").hasSize((int) frames);
        }
    }

    /** Where the last top-level box ends, by the sizes the boxes declare. */
    private static long boxesEndAt(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(16);
            while (pos + 8 <= ch.size()) {
                header.clear();
                ch.read(header, pos);
                long size = Integer.toUnsignedLong(header.getInt(0));
                if (size == 1) {
                    size = header.getLong(8);
                } else if (size == 0) {
                    size = ch.size() - pos;
                }
                if (size < 8) {
                    return -1;
                }
                pos += size;
            }
            return pos;
        }
    }

    /** How many lines of the task's log contain {@code text}. */
    static long logLines(Path data, String taskId, String text) throws IOException {
        try (Stream<String> lines = Files.lines(data.resolve("tasks").resolve(taskId).resolve("task.log"))) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    /** The part files a receiving task has, by name. */
    static List<String> received(Task t) {
        return t.files.stream().filter(f -> f.received).map(f -> f.name).toList();
    }
}
