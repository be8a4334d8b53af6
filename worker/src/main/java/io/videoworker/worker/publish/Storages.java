package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.Function;

/** External replay storages by JumpServer's TYPE name (core's own "server" storage is separate). */
public final class Storages {
    private Storages() {
    }

    public static final Map<String, Function<JsonNode, ReplayStorage>> EXTERNAL = Map.of();
}
