package io.videoworker.worker.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The {@code <sid>.replay.json} that JumpServer's player reads for a parts replay. */
public final class ReplayJson {
    private ReplayJson() {
    }

    /**
     * Writes the MP4 replay.json: the input's session fields copied, dates in the canonical
     * spelling, {@code "type": "mp4"} and the given files in playback order.
     */
    public static void writeMp4(SessionInput input, ArrayNode files, Path out) throws IOException {
        ObjectNode json = input.replayJson() != null ? input.replayJson().deepCopy() : SessionInput.JSON.createObjectNode();
        if (!json.has("id")) {
            json.put("id", input.sessionId());
        }
        for (String key : new String[] {"date_start", "date_end"}) {
            JsonNode v = json.get(key);
            if (v != null && v.isTextual()) {
                try {
                    json.put(key, ReplayDates.format(ReplayDates.parse(v.asText())));
                } catch (IllegalArgumentException e) {
                    // keep what the sender wrote
                }
            }
        }
        json.put("type", "mp4");
        json.set("files", files);
        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
        SessionInput.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
