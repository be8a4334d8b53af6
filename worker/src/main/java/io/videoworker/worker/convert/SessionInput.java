package io.videoworker.worker.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the converter was given, in playback order: one recording, several Lion part files
 * (ordered by part number, whatever the argument order), or a directory holding a Lion
 * {@code <sid>.replay.json} and its parts (ordered by {@code files[].start}).
 *
 * @param replayJson the session's replay.json when there is one (its session fields are kept)
 */
public record SessionInput(List<RecordingPart> parts, ObjectNode replayJson) {
    static final ObjectMapper JSON = new ObjectMapper();

    public String sessionId() {
        return parts.get(0).sessionId();
    }

    public static SessionInput resolve(List<Path> args) throws InputException {
        if (args.isEmpty()) {
            throw new InputException("no input given");
        }
        for (Path p : args) {
            if (!Files.exists(p)) {
                throw new InputException(p + ": no such file or directory");
            }
        }
        if (args.size() == 1 && Files.isDirectory(args.get(0))) {
            return fromDirectory(args.get(0));
        }
        for (Path p : args) {
            if (Files.isDirectory(p)) {
                throw new InputException(p + ": a directory can only be given alone");
            }
        }
        if (args.size() == 1 && args.get(0).getFileName().toString().endsWith(".replay.json")) {
            return fromReplayJson(args.get(0));
        }
        List<RecordingPart> parts = new ArrayList<>();
        for (Path p : args) {
            parts.add(RecordingPart.of(p));
        }
        if (parts.size() > 1) {
            for (RecordingPart part : parts) {
                if (!part.isPart()) {
                    throw new InputException(part.file() + ": several inputs must all be Lion parts named <sid>.<n>.part.gz");
                }
                if (!part.sessionId().equals(parts.get(0).sessionId())) {
                    throw new InputException(part.file() + ": belongs to session " + part.sessionId()
                            + ", not " + parts.get(0).sessionId());
                }
            }
            parts.sort(Comparator.comparingInt(RecordingPart::number));
            for (int i = 1; i < parts.size(); i++) {
                if (parts.get(i).number() == parts.get(i - 1).number()) {
                    throw new InputException(parts.get(i).file() + ": part " + parts.get(i).number() + " given twice");
                }
            }
        }
        return new SessionInput(List.copyOf(parts), null);
    }

    private static SessionInput fromDirectory(Path dir) throws InputException {
        List<Path> jsons;
        try (Stream<Path> s = Files.list(dir)) {
            jsons = s.filter(p -> p.getFileName().toString().endsWith(".replay.json")).sorted().toList();
        } catch (IOException e) {
            throw new InputException(dir + ": cannot list the directory: " + e.getMessage(), e);
        }
        if (jsons.size() != 1) {
            throw new InputException(dir + ": expected exactly one <sid>.replay.json, found " + jsons.size());
        }
        return fromReplayJson(jsons.get(0));
    }

    /** Reads a Lion replay.json and finds its parts beside it. */
    public static SessionInput fromReplayJson(Path json) throws InputException {
        JsonNode root;
        try {
            root = JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new InputException(json + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof ObjectNode obj) || !root.path("files").isArray() || root.path("files").isEmpty()) {
            throw new InputException(json + ": has no files[] list");
        }
        Path dir = json.toAbsolutePath().getParent();
        List<RecordingPart> parts = new ArrayList<>();
        int i = 0;
        for (JsonNode f : root.path("files")) {
            String name = f.path("name").asText("");
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..")) {
                throw new InputException(json + ": files[" + i + "] has no usable name");
            }
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new InputException(json + ": files[" + i + "] lists " + name + ", which is missing in " + dir);
            }
            parts.add(RecordingPart.of(file).withTimes(f.path("start").asLong(-1), f.path("end").asLong(-1)));
            i++;
        }
        parts.sort(Comparator.comparingLong(RecordingPart::start).thenComparingInt(RecordingPart::number));
        return new SessionInput(List.copyOf(parts), obj);
    }

    /** Total bytes of the input files, for progress. */
    public long totalBytes() {
        long sum = 0;
        for (RecordingPart p : parts) {
            try {
                sum += Files.size(p.file());
            } catch (IOException e) {
                // progress is only an estimate
            }
        }
        return sum;
    }
}
