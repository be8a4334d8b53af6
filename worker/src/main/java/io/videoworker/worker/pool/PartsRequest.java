package io.videoworker.worker.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.TaskException;
import io.videoworker.worker.spool.Untrusted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A G3 create body ({@code {"config":{…},"meta":{…,"files":[…]}}}), checked and bounded before
 * anything is written: what a task keeps in memory and in task.json is at most a few dozen short
 * fields and the parts list, whatever a caller sends (a 1 MiB body of 95,000 meta fields used to
 * stay on the heap for the whole clean period). Part numbers are compared as numbers, so
 * {@code sid.0.part.gz} and {@code sid.00.part.gz} are the same part, listed twice.
 */
record PartsRequest(ObjectNode meta, ObjectNode config, List<PartFile> files) {
    /** Lion sends 14 meta fields besides files; room for a few more from newer versions. */
    static final int MAX_META_FIELDS = 64;
    /** Lion's config has 4 fields (MaxFrame, Width, Height, Bitrate). */
    static final int MAX_CONFIG_FIELDS = 16;
    /** Longest meta or config value: ids, names, addresses and dates are far shorter. */
    static final int MAX_VALUE_CHARS = 1024;
    static final int MAX_NAME_CHARS = 64;
    /** A part per 300 MiB of recording: 4,096 parts is over a terabyte, weeks of a busy session. */
    static final int MAX_PARTS = 4096;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    static PartsRequest parse(String sessionId, JsonNode body) throws TaskException {
        if (body == null || !body.isObject()) {
            throw bad("body must be a JSON object with config and meta");
        }
        JsonNode meta = body.path("meta");
        if (!meta.isObject()) {
            throw bad("meta is missing or not an object");
        }
        if (meta.has("id") && !meta.get("id").isTextual() && !meta.get("id").isNull()) {
            throw bad("meta.id must be a string");
        }
        String metaId = meta.path("id").asText("");
        if (!metaId.isEmpty() && !metaId.equalsIgnoreCase(sessionId)) {
            throw bad("meta.id " + Untrusted.quote(metaId) + " differs from the session id in the path " + sessionId);
        }
        ObjectNode kept = flat("meta", (ObjectNode) meta, MAX_META_FIELDS, "files");
        ObjectNode config = body.path("config").isObject() ? flat("config", (ObjectNode) body.path("config"), MAX_CONFIG_FIELDS, null)
                : null;
        return new PartsRequest(kept, config, files(sessionId, meta.path("files")));
    }

    /**
     * A copy of {@code node} without {@code skip}, if it has at most {@code maxFields} fields, each
     * with a short name and a short scalar value (string, number, boolean or null).
     */
    private static ObjectNode flat(String what, ObjectNode node, int maxFields, String skip) throws TaskException {
        int fields = node.size() - (skip != null && node.has(skip) ? 1 : 0);
        if (fields > maxFields) {
            throw bad(what + " has " + fields + " fields; at most " + maxFields + " are accepted");
        }
        ObjectNode copy = node.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(skip)) {
                continue;
            }
            if (e.getKey().length() > MAX_NAME_CHARS) {
                throw bad(what + " has a field name longer than " + MAX_NAME_CHARS + " characters");
            }
            JsonNode v = e.getValue();
            String field = what + "." + (e.getKey().matches("[A-Za-z0-9_]+") ? e.getKey() : Untrusted.quote(e.getKey()));
            if (v.isContainerNode()) {
                throw bad(field + " must be a string, number or boolean");
            }
            if (v.isTextual() && v.asText().length() > MAX_VALUE_CHARS) {
                throw bad(field + " is longer than " + MAX_VALUE_CHARS + " characters");
            }
            copy.set(e.getKey(), v);
        }
        return copy;
    }

    private static List<PartFile> files(String sessionId, JsonNode files) throws TaskException {
        if (!files.isArray() || files.isEmpty()) {
            throw bad("meta.files must list at least one part");
        }
        if (files.size() > MAX_PARTS) {
            throw bad("meta.files lists " + files.size() + " parts; at most " + MAX_PARTS + " are accepted");
        }
        Pattern partName = Pattern.compile(Pattern.quote(sessionId) + "\\.(\\d{1,9})\\.part\\.gz", Pattern.CASE_INSENSITIVE);
        Map<Integer, String> numbers = new HashMap<>();
        List<PartFile> parts = new ArrayList<>();
        int i = 0;
        for (JsonNode f : files) {
            PartFile p = new PartFile();
            p.name = f.path("name").asText("");
            Matcher m = partName.matcher(p.name);
            if (!m.matches()) {
                throw bad("files[" + i + "].name " + Untrusted.quote(p.name) + " is not " + sessionId + ".<n>.part.gz");
            }
            int number = Integer.parseInt(m.group(1)); // at most 9 digits
            String earlier = numbers.putIfAbsent(number, p.name);
            if (earlier != null) {
                throw bad("files[" + i + "].name " + Untrusted.quote(p.name) + " is part " + number
                        + ", listed already as " + Untrusted.quote(earlier));
            }
            p.checksum = f.path("checksum").asText("").toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(p.checksum).matches()) {
                throw bad("files[" + i + "].checksum must be 64 hex characters (SHA-256)");
            }
            p.start = f.path("start").asLong();
            p.end = f.path("end").asLong();
            p.duration = f.path("duration").asLong();
            p.size = f.path("size").asLong();
            parts.add(p);
            i++;
        }
        return parts;
    }

    private static TaskException bad(String message) {
        return new TaskException(400, message);
    }
}
