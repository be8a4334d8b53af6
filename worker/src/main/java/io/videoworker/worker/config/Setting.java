package io.videoworker.worker.config;

/**
 * Every configuration key, its default as an administrator would write it and what it means: the
 * one list behind {@code serve --help}, {@code config.txt.example} and the README's table (tests
 * keep the last two in step).
 */
public enum Setting {
    NAME("[Video]-<host>-<random>", "name the worker registers with in JumpServer"),
    CORE_HOST("", "JumpServer core URL, e.g. http://core:8080; unset = stand-alone with local storage"),
    BOOTSTRAP_TOKEN("", "core's BOOTSTRAP_TOKEN, to register on first start"),
    BIND_HOST("0.0.0.0", "listen address"),
    HTTPD_PORT("9000", "listen port"),
    LOG_LEVEL("INFO", "DEBUG, INFO, WARN or ERROR"),
    LOG_FORMAT("text", "text (dated lines) or json (one JSON object a line, for log shippers)"),
    VIDEO_WORKER_COUNT("0", "conversions at once; 0 = CPU cores + 1"),
    VIDEO_WORKER_SECRET_KEY("", "32 characters, the same on every worker; seals storage credentials in the spool"),
    VIDEO_WORKER_CLEAN_PERIOD("7", "days to keep finished task folders; 0 = keep"),
    IGNORE_VERIFY_CERTS("false", "skip TLS certificate checks toward core"),
    DATA_DIR("./data (the image: /opt/video/data)", "keys, task spool, local replays, class archive"),
    VIDEO_WORKER_TASK_EXPIRY_MINUTES("60", "a task that receives no part for this long is dropped"),
    VIDEO_WORKER_SPOOL_RESERVE_MB("512", "free disk kept: new tasks and uploads are refused, conversions wait (at most 1 h, then the originals are published)"),
    VIDEO_WORKER_PUBLISH_RETRY_HOURS("24", "how long a failing publish is retried before the task fails"),
    VIDEO_WORKER_RETRY_BASE_SECONDS("10", "first pause of the publish and disk-wait backoffs"),
    VIDEO_WORKER_SFTP_REPLAY("core", "replay storage type sftp: core = publish through core's server storage as Lion and Koko do (core cannot play from SFTP); direct = upload to the SFTP server anyway"),
    METRICS_TOKEN("", "at least 16 characters: /metrics then wants Authorization: Bearer <token>; unset = open (counts only, no ids or names)"),
    VIDEO_WORKER_ADMIN_TOKEN("", "the status page's administrator token, at least 16 characters; unset = generated into DATA_DIR/keys/admin_token"),
    VIDEO_WORKER_DB_URL("", "cluster mode: PostgreSQL holding the tasks of every node, jdbc:postgresql://host:5432/db or postgres://user:password@host:5432/db; unset = one worker, tasks in DATA_DIR (docs/scale-out.md)"),
    VIDEO_WORKER_DB_USER("", "cluster mode: the database role (or in VIDEO_WORKER_DB_URL)"),
    VIDEO_WORKER_DB_PASSWORD("", "cluster mode: the role's password (or in VIDEO_WORKER_DB_URL)"),
    VIDEO_WORKER_DB_LEASE_SECONDS("60", "cluster mode: how long a node's claim on a task lasts unrenewed; a node that dies loses its tasks to the others after this");

    private final String defaultText;
    private final String meaning;

    Setting(String defaultText, String meaning) {
        this.defaultText = defaultText;
        this.meaning = meaning;
    }

    /** The default as documented ("" when unset by default). */
    public String defaultText() {
        return defaultText;
    }

    public String meaning() {
        return meaning;
    }
}
