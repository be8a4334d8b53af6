package io.videoworker.worker.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The status page's logins, kept in memory only (a restart logs everyone out): a random session
 * id for the cookie, a form token against cross-site requests, and the time of last use. A session
 * unused for {@link #IDLE} ends; at most {@link #MAX} exist, the least recently used giving way.
 * Sessions are found by the SHA-256 of their id, so no lookup compares a cookie character by
 * character and no cookie value sits in memory as a key.
 */
public final class AdminSessions {
    public static final Duration IDLE = Duration.ofHours(12);
    public static final int MAX = 100;

    /** One login: the id is the cookie's value, {@code csrf} goes into every form. */
    public record Session(String id, String csrf) {
        @Override
        public String toString() { // neither value in a log line
            return "Session[…]";
        }
    }

    private record Entry(Session session, long lastUsed) {
    }

    private final Clock clock;
    private final Map<String, Entry> byDigest = new LinkedHashMap<>(16, 0.75f, true); // least recently used first

    public AdminSessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session; the least recently used one ends if there are {@link #MAX} already. */
    public synchronized Session create() {
        dropIdle();
        if (byDigest.size() >= MAX) {
            Iterator<String> oldest = byDigest.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        Session s = new Session(Secrets.random(32), Secrets.random(32));
        byDigest.put(key(s.id()), new Entry(s, clock.millis()));
        return s;
    }

    /** The session with this cookie value, now used again; null when unknown or idle too long. */
    public synchronized Session find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return null;
        }
        String key = key(id);
        Entry e = byDigest.get(key);
        long now = clock.millis();
        if (e == null) {
            return null;
        }
        if (now - e.lastUsed() >= IDLE.toMillis()) {
            byDigest.remove(key);
            return null;
        }
        byDigest.put(key, new Entry(e.session(), now));
        return e.session();
    }

    public synchronized void end(Session s) {
        byDigest.remove(key(s.id()));
    }

    public synchronized int count() {
        dropIdle();
        return byDigest.size();
    }

    private void dropIdle() {
        long now = clock.millis();
        byDigest.values().removeIf(e -> now - e.lastUsed() >= IDLE.toMillis());
    }

    private static String key(String id) {
        return HexFormat.of().formatHex(Secrets.sha256(id));
    }
}
