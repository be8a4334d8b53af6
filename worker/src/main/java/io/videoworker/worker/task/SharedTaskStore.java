package io.videoworker.worker.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Lease;
import io.videoworker.worker.cluster.Leases;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task store of a cluster: one row of {@code worker_task} per task in PostgreSQL, the task as
 * a single worker's task.json holds it, and part bytes in the spool every node mounts. The task's
 * lock is its row lock ({@code SELECT … FOR UPDATE}), so any node can take a part or an
 * administrator's action for any task, and a change is committed or not at all.
 *
 * <p>Fencing: a row leased to a turn (by {@code SharedScheduler}) is only changed by the thread
 * holding that lease, matched by its token; any other write to it fails with
 * {@link LeaseLostException} (the holder lost it) or waits for the lease to lapse. A turn's write
 * while the database is down waits until it is back (running work finishes and records its
 * result); a request's write fails at once with {@link StoreUnavailableException} (HTTP 503).
 */
public final class SharedTaskStore implements TaskStore {
    private static final Logger LOG = LoggerFactory.getLogger(SharedTaskStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a listing of every task may be reused (health, metrics and the status page ask often). */
    private static final long LISTING_MS = 1_000;
    private static final String COLUMNS = "body, progress";

    private final Database db;
    private final Spool spool;
    private final Leases leases;
    private final Clock clock;
    private final String node;
    private final TaskObservers observers = new TaskObservers();
    private volatile Listing listing;

    private record Listing(long at, List<Task> tasks) {
    }

    /** @param node this node's name, written with every transition */
    public SharedTaskStore(Database db, Spool spool, Leases leases, Clock clock, String node) {
        this.db = db;
        this.spool = spool;
        this.leases = leases;
        this.clock = clock;
        this.node = node;
    }

    @Override
    public void observe(Observer observer) {
        observers.add(observer);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Task get(String id) {
        if (!Spool.validId(id)) {
            return null;
        }
        List<Task> one = query("SELECT " + COLUMNS + " FROM worker_task WHERE id = ?::uuid", id);
        return one.isEmpty() ? null : one.get(0);
    }

    /**
     * Every task, as of at most a second ago; while the database cannot be reached, as of the last
     * time it answered (health, the heartbeat and metrics keep working and say the database is down).
     */
    @Override
    public List<Task> all() {
        Listing l = listing;
        long now = System.currentTimeMillis();
        if (l == null || now - l.at() > LISTING_MS) {
            try {
                l = new Listing(now, List.copyOf(query("SELECT " + COLUMNS + " FROM worker_task ORDER BY created_at, id")));
            } catch (java.io.UncheckedIOException e) {
                if (StoreUnavailableException.in(e) == null) {
                    throw e;
                }
                return l == null ? List.of() : l.tasks();
            }
            listing = l;
        }
        return l.tasks();
    }

    @Override
    public List<Task> ofSession(String sessionId) {
        return query("SELECT " + COLUMNS + " FROM worker_task WHERE session_id = ? ORDER BY created_at, id", sessionId);
    }

    @Override
    public int count(Predicate<Task> which) {
        return (int) all().stream().filter(which).count();
    }

    private List<Task> query(String sql, String... args) {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            List<Task> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(read(r));
                }
            }
            return out;
        } catch (SQLException | IOException e) {
            throw unchecked(e);
        }
    }

    /** A task as a reader gets it: finished ones slim. */
    private static Task read(ResultSet r) throws SQLException, IOException {
        Task t = parse(r);
        if (t.state.finished()) {
            t.slim(); // as a single worker keeps it: the status needs no meta, config or sealed credentials
        }
        return t;
    }

    /** The task in the row's first two columns ({@link #COLUMNS}), whole. */
    private static Task parse(ResultSet r) throws SQLException, IOException {
        Task t = JSON.readValue(r.getString(1), Task.class);
        t.progress = r.getInt(2);
        return t;
    }

    /** What a failed read means to a caller that declares no IOException: unchecked, and a StoreUnavailableException still. */
    private java.io.UncheckedIOException unchecked(Exception e) {
        IOException f = e instanceof SQLException q ? db.failure(q) : (IOException) e;
        return f instanceof StoreUnavailableException u ? u.unchecked() : new java.io.UncheckedIOException(f);
    }

    /** The folders only: the record is the row {@link #add} inserts. */
    @Override
    public void persist(TaskDraft draft) throws IOException {
        spool.createFolders(draft.task().id);
    }

    @Override
    public Task add(TaskDraft draft) throws IOException {
        Task t = draft.seal();
        t.updatedAt = draft.now();
        spool.createFolders(t.id);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO worker_task (id, session_id, state, body, queued_at,"
                    + " next_attempt_at, created_at, updated_at) VALUES (?::uuid, ?, ?, ?::jsonb, ?, ?, ?, ?)")) {
                s.setString(1, t.id);
                s.setString(2, t.sessionId);
                s.setString(3, t.state.json());
                s.setString(4, JSON.writeValueAsString(t));
                s.setLong(5, t.queuedAt);
                s.setLong(6, t.nextAttemptAt);
                s.setLong(7, t.createdAt);
                s.setLong(8, t.updatedAt);
                s.executeUpdate();
            }
            transitions(c, t, t.history);
            announce(c, t);
            c.commit();
        } catch (SQLException e) {
            throw db.failure(e);
        }
        listing = null; // the next listing reads the change
        observers.tell(null, t);
        return t;
    }

    @Override
    public <R> R update(String id, Change<R> change) throws IOException {
        Lease lease = leases.current(id);
        long pause = 500;
        while (true) {
            try {
                return apply(id, change, lease);
            } catch (StoreUnavailableException e) {
                if (lease == null) {
                    throw e; // a request: the caller is told to come back later
                }
                // a turn: its work is done or safe; it waits to record the result (the lease is checked when the database is back)
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw new LeaseLostException("task " + id + ": interrupted while waiting for the database");
                }
                pause = Math.min(pause * 2, 1_000); // back soon after the database: before others may take the task over
            }
        }
    }

    @Override
    public <R> R record(String id, Change<R> change) {
        try {
            return update(id, change);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <R> R apply(String id, Change<R> change, Lease lease) throws IOException {
        Task before;
        Task next;
        R result;
        long sent = System.nanoTime();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                before = lockRow(c, id, lease);
                TaskDraft draft = new TaskDraft(before.copy(), clock.millis());
                try {
                    result = change.apply(draft);
                } finally {
                    draft.seal();
                }
                if (draft.weight() == TaskDraft.Weight.NONE) {
                    c.rollback();
                    return result;
                }
                next = draft.task();
                next.updatedAt = draft.now();
                // a turn's write renews its lease too: after an outage, the result it waited to record
                // and the event that follows it go together, before another node may claim the task
                try (PreparedStatement s = c.prepareStatement("UPDATE worker_task SET state = ?, body = ?::jsonb, queued_at = ?,"
                        + " next_attempt_at = ?, updated_at = ?, lease_until = CASE WHEN ? THEN now() + make_interval(secs => ?)"
                        + " ELSE lease_until END WHERE id = ?::uuid")) {
                    s.setString(1, next.state.json());
                    s.setString(2, JSON.writeValueAsString(next));
                    s.setLong(3, next.queuedAt);
                    s.setLong(4, next.nextAttemptAt);
                    s.setLong(5, next.updatedAt);
                    s.setBoolean(6, lease != null);
                    s.setDouble(7, leases.ttl().toMillis() / 1000.0);
                    s.setString(8, id);
                    s.executeUpdate();
                }
                transitions(c, next, added(before.history, next.history));
                if (lease == null) {
                    announce(c, next); // a request's change may make the task due: the schedulers look
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw db.failure(e);
        }
        if (lease != null) {
            lease.renewed(sent);
        }
        listing = null;
        if (next.state.finished()) {
            next.slim();
        }
        observers.tell(before, next);
        return result;
    }

    /**
     * Locks the task's row and checks the lease: a turn's own lease must still be the row's (else
     * it was lost). A request (an upload, expiry) changes the row under the same lock whoever holds
     * the lease: it only meets tasks no turn works on (receiving), or holds the lease itself (an
     * administrator's action).
     */
    private Task lockRow(Connection c, String id, Lease lease) throws SQLException, IOException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + ", lease_owner, lease_token"
                + " FROM worker_task WHERE id = ?::uuid FOR UPDATE")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("task " + id + " is not in the store");
                }
                String holder = r.getString(3);
                long token = r.getLong(4);
                if (lease != null && (!leases.owner().equals(holder) || token != lease.token())) {
                    throw new LeaseLostException("task " + id + ": lease " + lease.token() + " lost to "
                            + (holder == null ? "nobody yet" : holder + " (" + token + ")") + "; its result is not recorded");
                }
                return parse(r);
            }
        }
    }

    /** History entries of {@code after} that {@code before} did not have (history keeps the first and the latest 99). */
    private static List<Task.StateChange> added(List<Task.StateChange> before, List<Task.StateChange> after) {
        if (before.isEmpty()) {
            return after;
        }
        Task.StateChange last = before.get(before.size() - 1);
        int i = after.size();
        while (i > 0 && !after.get(i - 1).equals(last)) {
            i--;
        }
        return after.subList(i, after.size());
    }

    private void transitions(Connection c, Task t, List<Task.StateChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO worker_task_transition (task_id, at, state, why, node) VALUES (?::uuid, ?, ?, ?, ?)")) {
            for (Task.StateChange sc : changes) {
                s.setString(1, t.id);
                s.setLong(2, sc.at());
                s.setString(3, sc.state().json());
                s.setString(4, sc.why());
                s.setString(5, node);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** A task that is due wakes every node's scheduler (delivered when the transaction commits). */
    private static void announce(Connection c, Task t) throws SQLException {
        if (t.state.working()) {
            try (var s = c.createStatement()) {
                s.execute("NOTIFY " + TASKS_DUE);
            }
        }
    }

    /** The channel the schedulers LISTEN on. */
    public static final String TASKS_DUE = "worker_task_due";

    @Override
    public void progress(String id, int percent) {
        Lease lease = leases.current(id);
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "UPDATE worker_task SET progress = ? WHERE id = ?::uuid AND lease_owner = ? AND lease_token = ?")) {
            s.setInt(1, percent);
            s.setString(2, id);
            s.setString(3, leases.owner());
            s.setLong(4, lease == null ? -1 : lease.token());
            s.executeUpdate();
        } catch (StoreUnavailableException e) {
            // progress only: the next percent tries again
        } catch (SQLException e) {
            LOG.debug("task {}: progress not recorded: {}", id, e.toString());
        }
    }

    @Override
    public void fence(String id) {
        Lease lease = leases.current(id);
        if (lease != null) {
            lease.awaitFresh();
        }
    }

    @Override
    public Task remove(String id) {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM worker_task WHERE id = ?::uuid AND state IN ('done', 'failed', 'expired') RETURNING " + COLUMNS)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                Task t = read(r);
                listing = null;
                observers.tell(t, null);
                return t;
            }
        } catch (SQLException | IOException e) {
            throw unchecked(e);
        }
    }


    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone: the transaction with it
        }
    }
}
