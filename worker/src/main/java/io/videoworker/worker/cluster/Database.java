package io.videoworker.worker.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.videoworker.worker.config.ClusterSettings;
import io.videoworker.worker.task.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's PostgreSQL: a connection pool (HikariCP), the schema brought up to date by Flyway
 * at start, and whether the database can be reached now (for health, and for refusing new work
 * while it cannot). Connection trouble is {@link StoreUnavailableException}, one line in the log
 * when it starts and one when it ends.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** How often the database is probed: the one judge of "reachable again", so a pooled connection an outage broke cannot say so. */
    private static final Duration PROBE = Duration.ofSeconds(2);

    private final ClusterSettings settings;
    private final HikariDataSource pool;
    private final ScheduledExecutorService prober;
    private volatile String problem;
    private volatile boolean closed;
    /** The schema is up to date: connections may be handed out. */
    private volatile boolean ready;
    /** A try at migrating failed: the database was down when this node started. */
    private boolean waited;
    /** System.nanoTime() when the database was last found reachable again after an outage (0: never out). */
    private volatile long backAt;

    private Database(ClusterSettings settings, int connections) {
        this.settings = settings;
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(settings.jdbcUrl());
        c.setUsername(settings.user());
        c.setPassword(settings.password());
        c.setPoolName("video-worker-db");
        c.setMaximumPoolSize(connections);
        c.setMinimumIdle(1);
        c.setConnectionTimeout(3_000); // fail fast: a request waits 3 s, not 30, for a database that is down
        c.setValidationTimeout(2_000);
        c.setInitializationFailTimeout(-1); // the pool starts without the database; open() waits for it
        c.addDataSourceProperty("connectTimeout", "3");
        c.addDataSourceProperty("socketTimeout", "60"); // a partition must not hang a thread for ever
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("ApplicationName", "video-worker");
        this.pool = new HikariDataSource(c);
        this.problem = "not connected yet";
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "db-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects and migrates the schema, waiting (one line per try, pauses doubling to 30 s) while
     * the database cannot be reached.
     *
     * @param connections the pool's size: the node's conversion threads, request threads and housekeeping share it
     */
    public static Database open(ClusterSettings settings, int connections) throws InterruptedException {
        Database db = pool(settings, connections);
        db.awaitReady();
        return db;
    }

    /** The pool only, not ready: {@link #migrate} or {@link #awaitReady} makes it so. Until then every connection is refused. */
    public static Database pool(ClusterSettings settings, int connections) {
        return new Database(settings, connections);
    }

    /** One try at bringing the schema up to date; true when the database is ready for use. */
    public synchronized boolean migrate() {
        if (ready) {
            return true;
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration")
                    .table("worker_schema_history").load().migrate();
        } catch (RuntimeException e) {
            problem = rootMessage(e);
            waited = true;
            return false;
        }
        ready = true;
        problem = null;
        if (waited) { // it was down: others' leases may look lapsed for a while (outageWithin)
            backAt = System.nanoTime();
        }
        LOG.info("database {}: schema up to date", settings.jdbcUrl());
        prober.scheduleWithFixedDelay(this::probe, PROBE.toMillis(), PROBE.toMillis(), TimeUnit.MILLISECONDS);
        return true;
    }

    /** Tries {@link #migrate} until it works: one line per try, pauses doubling to 30 s. */
    public void awaitReady() throws InterruptedException {
        long pause = 1_000;
        for (int attempt = 1; !migrate(); attempt++) {
            LOG.warn("database {}: not ready ({}); try {} again in {} s", settings.jdbcUrl(), problem, attempt + 1, pause / 1000);
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 30_000);
        }
    }

    /** A connection from the pool (auto-commit on), or why there is none. */
    public Connection connect() throws StoreUnavailableException {
        if (!ready) { // before the schema is known to be there, nothing may touch it
            throw new StoreUnavailableException("the task database is unreachable: " + problem, null);
        }
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * What an exception of a database call means: the database cannot be reached
     * ({@link StoreUnavailableException}, remembered for health), or an error of the statement
     * itself, which is a bug (an IOException naming the SQL state).
     */
    public java.io.IOException failure(SQLException e) {
        if (unreachable(e)) {
            return unavailable(e);
        }
        return new java.io.IOException("database error " + e.getSQLState() + ": " + e.getMessage(), e);
    }

    private StoreUnavailableException unavailable(SQLException e) {
        String why = rootMessage(e);
        if (problem == null && !closed) { // a node stopping closes the pool under its own threads: not an outage
            LOG.warn("database {}: unreachable ({}); new tasks are refused and work waits until it is back", settings.jdbcUrl(), why);
        }
        problem = why;
        return new StoreUnavailableException("the task database is unreachable: " + why, e);
    }

    /** Connection-level trouble: SQL state class 08, the server shutting down or starting, or the pool's timeout. */
    static boolean unreachable(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }

    private void ok() {
        if (problem != null) {
            problem = null;
            backAt = System.nanoTime();
            LOG.info("database {}: reachable again", settings.jdbcUrl());
        }
    }

    private void probe() {
        try (Connection c = connect(); var s = c.createStatement()) {
            s.execute("SELECT 1");
            ok();
        } catch (StoreUnavailableException e) {
            // remembered by connect(), logged once
        } catch (SQLException e) {
            failure(e);
        }
    }

    /** Work that may fail with an I/O error. */
    @FunctionalInterface
    public interface Work {
        void run() throws java.io.IOException;
    }

    /**
     * Runs {@code work} unless another node runs work of the same name now (a PostgreSQL advisory
     * lock held for the work's length): housekeeping rounds run on one node at a time.
     *
     * @return false when another node holds it (nothing was run)
     */
    public boolean exclusively(String name, Work work) throws java.io.IOException {
        try (Connection c = connect()) {
            try (var s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                s.setString(1, "video-worker " + name);
                try (var r = s.executeQuery()) {
                    r.next();
                    if (!r.getBoolean(1)) {
                        return false;
                    }
                }
            }
            try {
                work.run();
                return true;
            } finally {
                try (var s = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    s.setString(1, "video-worker " + name);
                    s.execute();
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Whether this node found the database unreachable within {@code window}: after an outage
     * every lease looks lapsed, though their holders may only be waiting to renew them.
     */
    public boolean outageWithin(java.time.Duration window) {
        return problem != null || backAt != 0 && System.nanoTime() - backAt < window.toNanos();
    }

    /** Why the database cannot be reached now, or null when it can. */
    public String problem() {
        return problem;
    }

    public String describe() {
        return settings.describe();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        prober.shutdownNow();
        pool.close();
    }
}
