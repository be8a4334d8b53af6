package io.videoworker.worker.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The service's configuration: environment, then {@code config.txt} (read as Docker Compose reads
 * an env_file: {@link EnvFile}), then defaults; an empty value counts as unset. Invalid values stop
 * start-up with one line that names the key and what is expected. The keys: {@link Setting}.
 */
public record WorkerConfig(
        String name,
        String coreHost, // null: stand-alone
        String bootstrapToken,
        String bindHost,
        int port,
        String logLevel,
        String logFormat, // text | json
        int workerCount,
        String secretKey, // null: generated per node
        int cleanPeriodDays,
        boolean ignoreVerifyCerts,
        Path dataDir,
        Duration taskExpiry,
        long spoolReserveBytes,
        Duration publishRetryPeriod,
        Duration retryBaseDelay,
        boolean sftpDirect, // VIDEO_WORKER_SFTP_REPLAY=direct: sftp replay storage is uploaded to, not replaced by core's
        String metricsToken, // null: /metrics is open
        String adminToken, // null: generated into DATA_DIR/keys/admin_token
        ClusterSettings cluster) { // null: one worker, tasks in DATA_DIR

    /** An administrator token shorter than this is refused: the status page can delete and republish. */
    public static final int MIN_ADMIN_TOKEN = 16;

    public static final List<String> KEYS = java.util.Arrays.stream(Setting.values()).map(Enum::name).toList();

    /** Tasks shared with other nodes through PostgreSQL (VIDEO_WORKER_DB_URL set). */
    public boolean clustered() {
        return cluster != null;
    }

    public boolean standalone() {
        return coreHost == null;
    }

    /** Conversions at once: VIDEO_WORKER_COUNT, where 0 means CPU cores + 1. */
    public int effectiveWorkers() {
        return workerCount > 0 ? workerCount : Runtime.getRuntime().availableProcessors() + 1;
    }

    public Path tasksDir() {
        return dataDir.resolve("tasks");
    }

    public Path keysDir() {
        return dataDir.resolve("keys");
    }

    /**
     * This node's own keys (its access key at core): {@link #keysDir()} for one worker; in a
     * cluster, whose nodes share DATA_DIR, a folder per NAME below it.
     */
    public Path nodeKeysDir() {
        return cluster == null ? keysDir() : keysDir().resolve("nodes").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    public Path replaysDir() {
        return dataDir.resolve("replays");
    }

    /** Where the status page's token is generated when VIDEO_WORKER_ADMIN_TOKEN is unset. */
    public Path adminTokenFile() {
        return keysDir().resolve("admin_token");
    }

    /** Reads the file (if it exists) and the environment; the environment wins. */
    public static WorkerConfig load(Path configFile, Map<String, String> env) throws ConfigException {
        Map<String, String> values = new HashMap<>();
        if (configFile != null && Files.isRegularFile(configFile)) {
            try {
                values.putAll(EnvFile.parse(configFile.toString(), Files.readString(configFile, StandardCharsets.UTF_8), env::get));
            } catch (IOException e) {
                throw new ConfigException(configFile + ": cannot read: " + e.getMessage());
            }
        }
        for (String key : KEYS) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) { // an empty variable is unset: the file's value stands
                values.put(key, v);
            }
        }
        values.values().removeIf(String::isBlank);
        return from(values);
    }

    static WorkerConfig from(Map<String, String> v) throws ConfigException {
        String coreHost = v.get("CORE_HOST");
        if (coreHost != null) {
            coreHost = coreHost.replaceAll("/+$", "");
            if (!coreHost.matches("https?://[^\\s/]+(/.*)?")) {
                throw new ConfigException("CORE_HOST must be an http(s) URL such as http://core:8080, not '" + v.get("CORE_HOST") + "'");
            }
        }
        String level = v.getOrDefault("LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT);
        if (!List.of("DEBUG", "INFO", "WARN", "WARNING", "ERROR").contains(level)) {
            throw new ConfigException("LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, not '" + v.get("LOG_LEVEL") + "'");
        }
        String format = v.getOrDefault("LOG_FORMAT", "text").strip().toLowerCase(Locale.ROOT);
        if (!List.of("text", "json").contains(format)) {
            throw new ConfigException("LOG_FORMAT must be text or json, not '" + v.get("LOG_FORMAT") + "'");
        }
        String metricsToken = v.get("METRICS_TOKEN");
        if (metricsToken != null && metricsToken.strip().length() < 16) {
            throw new ConfigException("METRICS_TOKEN must be at least 16 characters (or unset for an open /metrics), got "
                    + metricsToken.strip().length());
        }
        String secret = v.get("VIDEO_WORKER_SECRET_KEY");
        if (secret != null && secret.length() != 32) {
            throw new ConfigException("VIDEO_WORKER_SECRET_KEY must be exactly 32 characters, got " + secret.length());
        }
        String adminToken = v.get("VIDEO_WORKER_ADMIN_TOKEN");
        if (adminToken != null && adminToken.strip().length() < MIN_ADMIN_TOKEN) {
            throw new ConfigException("VIDEO_WORKER_ADMIN_TOKEN must be at least " + MIN_ADMIN_TOKEN + " characters, got "
                    + adminToken.strip().length() + " (unset it to have one generated into DATA_DIR/keys/admin_token)");
        }
        ClusterSettings cluster = ClusterSettings.from(v);
        if (cluster != null && secret == null) {
            throw new ConfigException("cluster mode (VIDEO_WORKER_DB_URL) needs VIDEO_WORKER_SECRET_KEY: the same 32 characters on every node");
        }
        return new WorkerConfig(
                v.getOrDefault("NAME", defaultName()),
                coreHost,
                v.get("BOOTSTRAP_TOKEN"),
                v.getOrDefault("BIND_HOST", "0.0.0.0"),
                integer(v, "HTTPD_PORT", 9000, 1, 65535),
                level.equals("WARNING") ? "WARN" : level,
                format,
                integer(v, "VIDEO_WORKER_COUNT", 0, 0, 256),
                secret,
                integer(v, "VIDEO_WORKER_CLEAN_PERIOD", 7, 0, 36500),
                bool(v, "IGNORE_VERIFY_CERTS"),
                Path.of(v.getOrDefault("DATA_DIR", "data")).toAbsolutePath().normalize(),
                Duration.ofMinutes(integer(v, "VIDEO_WORKER_TASK_EXPIRY_MINUTES", 60, 1, 10080)),
                integer(v, "VIDEO_WORKER_SPOOL_RESERVE_MB", 512, 0, 1 << 20) * (1L << 20),
                Duration.ofHours(integer(v, "VIDEO_WORKER_PUBLISH_RETRY_HOURS", 24, 0, 8760)),
                Duration.ofSeconds(integer(v, "VIDEO_WORKER_RETRY_BASE_SECONDS", 10, 1, 3600)),
                sftpDirect(v),
                metricsToken == null ? null : metricsToken.strip(),
                adminToken == null ? null : adminToken.strip(),
                cluster);
    }

    static int integer(Map<String, String> v, String key, int dflt, int min, int max) throws ConfigException {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(s.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number from " + min + " to " + max + ", not '" + s + "'");
        }
    }

    /** VIDEO_WORKER_SFTP_REPLAY: core (the default) or direct. */
    private static boolean sftpDirect(Map<String, String> v) throws ConfigException {
        String s = v.getOrDefault("VIDEO_WORKER_SFTP_REPLAY", "core").strip().toLowerCase(Locale.ROOT);
        if (!List.of("core", "direct").contains(s)) {
            throw new ConfigException("VIDEO_WORKER_SFTP_REPLAY must be core or direct, not '" + v.get("VIDEO_WORKER_SFTP_REPLAY") + "'");
        }
        return s.equals("direct");
    }

    private static boolean bool(Map<String, String> v, String key) throws ConfigException {
        String s = v.get(key);
        if (s == null) {
            return false;
        }
        switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> {
                return true;
            }
            case "false", "0", "no", "off" -> {
                return false;
            }
            default -> throw new ConfigException(key + " must be true or false, not '" + s + "'");
        }
    }

    /** {@code [Video]-<hostname>-<7 random [a-z0-9]>}, as JumpServer components name themselves. */
    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder("[Video]-").append(host).append('-');
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 7; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.length() > 128 ? sb.substring(0, 128) : sb.toString();
    }

    /** The same configuration listening on another port (tests use 0: any free port). */
    public WorkerConfig withPort(int newPort) {
        return new WorkerConfig(name, coreHost, bootstrapToken, bindHost, newPort, logLevel, logFormat, workerCount, secretKey,
                cleanPeriodDays, ignoreVerifyCerts, dataDir, taskExpiry, spoolReserveBytes, publishRetryPeriod, retryBaseDelay,
                sftpDirect, metricsToken, adminToken, cluster);
    }

    /** As {@link #describe()}: a record's own toString would print BOOTSTRAP_TOKEN and the secret key. */
    @Override
    public String toString() {
        return describe();
    }

    /** The configuration without secrets, for the start-up log. */
    public String describe() {
        return "name=" + name + " core=" + (coreHost == null ? "(stand-alone)" : coreHost) + " bind=" + bindHost + ":" + port
                + " workers=" + effectiveWorkers() + " data=" + dataDir + " clean_period=" + cleanPeriodDays + "d"
                + " task_expiry=" + taskExpiry.toMinutes() + "m reserve=" + (spoolReserveBytes >> 20) + "MiB"
                + " publish_retry=" + publishRetryPeriod.toHours() + "h"
                + " sftp_replay=" + (sftpDirect ? "direct" : "core")
                + " secret_key=" + (secretKey == null ? "generated" : "set") + " ignore_verify_certs=" + ignoreVerifyCerts
                + " metrics=" + (metricsToken == null ? "open" : "token")
                + " admin_token=" + (adminToken == null ? "generated" : "set")
                + " cluster=" + (cluster == null ? "off" : cluster.describe());
    }
}
