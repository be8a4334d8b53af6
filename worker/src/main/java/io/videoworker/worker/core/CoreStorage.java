package io.videoworker.worker.core;

import io.videoworker.worker.publish.ReplayStorage;
import io.videoworker.worker.publish.StorageKey;
import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Core's own "server" storage: {@code POST /api/v1/terminal/sessions/<sid>/replay/} with the file
 * and the replay {@code version} its name calls for (4 for .replay.mp4, 5 for parts and
 * replay.json, 2 for .replay.gz). Core derives the storage path itself.
 */
public final class CoreStorage implements ReplayStorage {
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private final CoreClient core;

    public CoreStorage(CoreClient core) {
        this.core = core;
    }

    static String version(String name) {
        if (name.endsWith(".replay.mp4")) {
            return "4";
        }
        if (name.endsWith(".part.mp4") || name.endsWith(".part.gz") || name.endsWith(".replay.json")) {
            return "5";
        }
        if (name.endsWith(".cast.gz")) {
            return "3";
        }
        return "2";
    }

    /** The key's last element is the session id's file; the sid is the file name's prefix. */
    @Override
    public void put(String key, Path file) throws IOException {
        String name = StorageKey.check(key).substring(key.lastIndexOf('/') + 1);
        String sid = name.substring(0, Math.min(36, name.length()));
        if (!SESSION_ID.matcher(sid).matches()) { // it becomes part of core's URL
            throw new IOException("refusing storage key " + Untrusted.quote(key) + ": its file name does not start with a session id");
        }
        // core keeps the uploaded file name: it must be the object's name, not our spool file's
        core.upload("/api/v1/terminal/sessions/" + sid + "/replay/", "file", file, name, Map.of("version", version(name)));
    }

    @Override
    public void delete(String key) throws IOException {
        StorageKey.check(key);
        // core keeps one replay per session and looks for the mp4 before anything we could leave
    }

    /**
     * Cannot tell: core offers its components no look-up of one stored file (its replay API
     * answers for the whole session, from whichever storage it finds first), so -1.
     */
    @Override
    public long sizeOf(String key) throws IOException {
        StorageKey.check(key);
        return -1;
    }

    @Override
    public String type() {
        return "server";
    }

    @Override
    public String describe() {
        return "core server storage at " + core.base();
    }
}
