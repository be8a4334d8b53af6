package io.videoworker.worker.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Cluster mode's settings: the PostgreSQL that holds every node's tasks, and how long a node's
 * claim on a task lasts unrenewed. {@code VIDEO_WORKER_DB_URL} is a JDBC URL or the
 * {@code postgres://user:password@host:port/db} form most tools print; a user or password in it
 * is used unless VIDEO_WORKER_DB_USER / _PASSWORD say otherwise.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/db[?…]}, without credentials
 * @param user     the role, or null (the driver's default)
 * @param password the role's password, or null
 * @param lease    how long a claim lasts unrenewed
 */
public record ClusterSettings(String jdbcUrl, String user, String password, Duration lease) {

    /** From the settings; null when VIDEO_WORKER_DB_URL is unset (one worker). */
    static ClusterSettings from(Map<String, String> v) throws ConfigException {
        String url = v.get("VIDEO_WORKER_DB_URL");
        if (url == null) {
            for (String key : new String[] {"VIDEO_WORKER_DB_USER", "VIDEO_WORKER_DB_PASSWORD"}) {
                if (v.containsKey(key)) {
                    throw new ConfigException(key + " is set but VIDEO_WORKER_DB_URL is not: set both for cluster mode, or neither");
                }
            }
            return null;
        }
        url = url.strip();
        String user = null;
        String password = null;
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI u;
            try {
                u = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("VIDEO_WORKER_DB_URL is not a URL: " + e.getMessage().replace(url, "<the value>"));
            }
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
                throw new ConfigException("VIDEO_WORKER_DB_URL must name a host and a database, e.g. postgres://host:5432/videoworker");
            }
            if (u.getRawUserInfo() != null) {
                String[] ui = u.getRawUserInfo().split(":", 2);
                user = decode(ui[0]);
                password = ui.length > 1 ? decode(ui[1]) : null;
            }
            url = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath()
                    + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
        } else if (!url.matches("jdbc:postgresql://[^/\\s@]+/[^\\s]+")) {
            throw new ConfigException("VIDEO_WORKER_DB_URL must be jdbc:postgresql://host:5432/db or postgres://user:password@host:5432/db");
        }
        user = v.getOrDefault("VIDEO_WORKER_DB_USER", user);
        password = v.getOrDefault("VIDEO_WORKER_DB_PASSWORD", password);
        int lease = WorkerConfig.integer(v, "VIDEO_WORKER_DB_LEASE_SECONDS", 60, 5, 3600);
        return new ClusterSettings(url, user, password, Duration.ofSeconds(lease));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** For the start-up log: where, as whom, never the password. */
    public String describe() {
        return jdbcUrl + (user == null ? "" : " as " + user) + " lease=" + lease.toSeconds() + "s";
    }

    /** A record's own toString would print the password. */
    @Override
    public String toString() {
        return describe();
    }
}
