package io.videoworker.worker.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A G3 task body read within bounds: depth, tokens, and fields per object. The body is scanned as
 * a stream first, so a flood (a meta of 95,000 small fields) is refused before any tree is built:
 * building it up to the token limit cost megabytes a request, and a small heap ran out under four
 * at once. Only a body that passes becomes a tree.
 */
final class TaskJson {
    /** Lion's task body is 4 levels deep; a deeper one is an attack on the parser's stack. */
    static final int MAX_DEPTH = 32;
    /** Lion's body is ~40 tokens plus 14 a part (4,096 parts at most); past this a body is a flood. */
    static final int MAX_TOKENS = 60_000;
    /** Lion's largest object is meta, ~20 fields (PartsRequest keeps at most 64 of them): more is a flood. */
    static final int MAX_FIELDS = 256;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxTokenCount(MAX_TOKENS).build())
            .build());

    /** A body that is not a task JSON within the bounds; the message is for the caller. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private TaskJson() {
    }

    static JsonNode parse(byte[] body) throws Refused {
        try {
            scan(body);
            return MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new Refused(e.getMessage().contains("Token count") ? "task JSON has more than " + MAX_TOKENS + " tokens"
                    : "task JSON nested deeper than " + MAX_DEPTH + " levels");
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw new Refused("body is not valid JSON: " + (m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m));
        }
    }

    /** Counts fields per open object as the tokens pass; nothing is kept. */
    private static void scan(byte[] body) throws IOException, Refused {
        Deque<int[]> fields = new ArrayDeque<>();
        try (JsonParser p = MAPPER.getFactory().createParser(body)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> fields.push(new int[1]);
                    case END_OBJECT -> fields.pop();
                    case FIELD_NAME -> {
                        if (++fields.peek()[0] > MAX_FIELDS) {
                            throw new Refused("task JSON has an object of more than " + MAX_FIELDS + " fields ("
                                    + io.videoworker.worker.spool.Untrusted.quote(p.currentName()) + " is one too many)");
                        }
                    }
                    default -> { }
                }
            }
        }
    }
}
