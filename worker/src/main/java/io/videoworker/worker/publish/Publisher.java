package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a task's result into replay storage under JumpServer's keys: the part MP4s first and
 * {@code replay.json} last (so a player never finds a list of missing files), or
 * {@code <sid>.replay.mp4}; after a failed conversion the untouched originals instead.
 *
 * <p>A single recording (G2) never leaves {@code <sid>.replay.gz} beside {@code <sid>.replay.mp4}:
 * core plays the first it finds and looks for the .gz first. An MP4 put there removes the .gz; an
 * original is not published where the session's MP4 already is (the MP4 wins: it is a converted,
 * playable recording of the session, the original one that failed to convert). Both happen under
 * one lock per session, so two tasks of a session cannot interleave the check and the put.
 */
public final class Publisher {
    private final Spool spool;
    private final Object[] sessionLocks = new Object[64];

    public Publisher(Spool spool) {
        this.spool = spool;
        for (int i = 0; i < sessionLocks.length; i++) {
            sessionLocks[i] = new Object();
        }
    }

    /**
     * What a publish put into storage: the keys, the replay's size for core ({@code replay_size}),
     * and, when something was deliberately left out, why (for the task's error).
     */
    public record Published(List<String> keys, long bytes, String note) {
    }

    /** One lock per session (striped: sessions are countless, 64 locks are plenty for a pool). */
    private Object sessionLock(String sessionId) {
        return sessionLocks[Math.floorMod(sessionId.hashCode(), sessionLocks.length)];
    }

    /** Publishes the conversion results of out/. */
    public Published publishConverted(Task task, ReplayStorage storage, TaskLog log) throws IOException {
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        if (task.kind == Task.Kind.SINGLE) {
            String key = task.sessionDate + "/" + task.sessionId + ".replay.mp4";
            Path mp4 = spool.outFile(task.id, task.sessionId + ".replay.mp4");
            synchronized (sessionLock(task.sessionId)) {
                storage.put(key, mp4);
                storage.delete(task.sessionDate + "/" + task.sessionId + ".replay.gz");
            }
            keys.add(key);
            bytes += Files.size(mp4);
        } else {
            String prefix = task.sessionDate + "/" + task.sessionId + "/";
            Path json = spool.outFile(task.id, task.sessionId + ".replay.json");
            ObjectNode replay = (ObjectNode) Spool.JSON.readTree(json.toFile());
            for (var f : replay.path("files")) {
                String name = f.path("name").asText();
                Path mp4 = spool.outFile(task.id, name); // names come from the converter's replay.json
                storage.put(prefix + name, mp4);
                keys.add(prefix + name);
                bytes += Files.size(mp4);
            }
            storage.put(prefix + json.getFileName(), json);
            keys.add(prefix + json.getFileName());
            bytes += Files.size(json); // Lion's replay_size counts replay.json too
        }
        log.info("published " + keys.size() + " objects (" + bytes + " bytes) to " + storage.describe() + ": " + keys);
        return new Published(keys, bytes, null);
    }

    /**
     * After a failed conversion: the received files unchanged, and for parts a replay.json as
     * Lion writes it ({@code type: guacamole}, no checksum, zero numbers left out).
     */
    public Published publishOriginals(Task task, ReplayStorage storage, TaskLog log) throws IOException {
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        if (task.kind == Task.Kind.SINGLE) {
            Path gz = spool.inFile(task.id, task.files.get(0).name);
            String key = task.sessionDate + "/" + task.sessionId + ".replay.gz";
            String mp4Key = task.sessionDate + "/" + task.sessionId + ".replay.mp4";
            synchronized (sessionLock(task.sessionId)) {
                long mp4 = storage.sizeOf(mp4Key);
                if (mp4 >= 0) {
                    String why = "the original recording is not published: " + mp4Key + " is in the storage already, and core"
                            + " would play a .replay.gz beside it instead of the MP4";
                    log.warn(why + "; the MP4 is kept");
                    return new Published(keys, mp4, why); // the session's replay is that MP4
                }
                storage.put(key, gz);
            }
            keys.add(key);
            bytes += Files.size(gz);
        } else {
            String prefix = task.sessionDate + "/" + task.sessionId + "/";
            for (PartFile f : task.files) {
                Path part = spool.inFile(task.id, f.name);
                storage.put(prefix + f.name, part);
                keys.add(prefix + f.name);
                bytes += Files.size(part);
            }
            Path json = spool.in(task.id).resolve(".original.replay.json");
            Spool.JSON.writeValue(json.toFile(), originalReplayJson(task));
            storage.put(prefix + task.sessionId + ".replay.json", json);
            keys.add(prefix + task.sessionId + ".replay.json");
            bytes += Files.size(json);
        }
        log.info("published the original recording (" + keys.size() + " objects, " + bytes + " bytes) to "
                + storage.describe() + ": " + keys);
        return new Published(keys, bytes, null);
    }

    /** The sender's replay.json: its meta with files[] as announced. */
    public static ObjectNode originalReplayJson(Task task) {
        ObjectNode json = task.meta != null ? task.meta.deepCopy() : Spool.JSON.createObjectNode();
        json.put("type", "guacamole");
        ArrayNode files = json.putArray("files");
        for (PartFile f : task.files) {
            ObjectNode o = files.addObject();
            o.put("name", f.name);
            if (f.start != 0) {
                o.put("start", f.start);
            }
            if (f.end != 0) {
                o.put("end", f.end);
            }
            if (f.duration != 0) {
                o.put("duration", f.duration);
            }
            if (f.size != 0) {
                o.put("size", f.size);
            }
        }
        return json;
    }
}
