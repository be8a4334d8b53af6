package io.videoworker.worker.publish;

import io.videoworker.worker.spool.Untrusted;
import java.io.IOException;

/**
 * The one rule every {@link ReplayStorage} applies to an object key before using it: a relative
 * path of plain segments ({@code 2025-11-18/<sid>/<sid>.0.part.mp4}). Keys are built from
 * validated ids and dates, so a refusal here means a bug upstream; it stops a key that could
 * leave the storage root (a local folder, an SFTP root, core's URL space) or that object stores
 * and file systems read differently.
 */
public final class StorageKey {
    /** S3 allows 1024 bytes; ours are under 120 characters. */
    public static final int MAX_LENGTH = 1000;

    private StorageKey() {
    }

    /** Returns the key, or throws naming the key and what is wrong with it. */
    public static String check(String key) throws IOException {
        String why = problem(key);
        if (why != null) {
            throw new IOException("refusing storage key " + Untrusted.quote(key) + ": " + why);
        }
        return key;
    }

    private static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "empty";
        }
        if (key.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        if (key.startsWith("/")) {
            return "absolute";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\') {
                return "contains a backslash";
            }
            if (Character.isISOControl(c)) {
                return "contains a control character";
            }
        }
        for (String seg : key.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                return "has an empty, . or .. segment";
            }
        }
        return null;
    }
}
