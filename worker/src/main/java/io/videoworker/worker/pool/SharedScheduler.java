package io.videoworker.worker.pool;

import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Lease;
import io.videoworker.worker.cluster.Leases;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.task.LeaseLostException;
import io.videoworker.worker.task.SharedTaskStore;
import io.videoworker.worker.task.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When tasks of a cluster get a turn: each of this node's threads claims the oldest due task
 * nobody holds ({@code FOR UPDATE SKIP LOCKED}) under a lease with a new fencing token, works its
 * turn, and lets the lease go. A node that dies keeps its leases only until they lapse; then any
 * node claims the task and carries it on from its last recorded stage. Threads with nothing to do
 * sleep until a task becomes due anywhere in the cluster ({@code LISTEN}), or a second at most.
 */
final class SharedScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(SharedScheduler.class);
    /** Longest sleep of an idle thread: tasks whose next attempt came due, and missed notifications. */
    private static final long IDLE_MS = 1_000;

    private static final String CLAIM = "UPDATE worker_task t SET lease_owner = ?, lease_token = t.lease_token + 1,"
            + " lease_until = now() + make_interval(secs => ?) FROM (SELECT id FROM worker_task"
            + " WHERE state IN ('queued', 'converting', 'publishing') AND next_attempt_at <= ?"
            + " AND (lease_until IS NULL OR lease_until < now() AND ?) ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) due"
            + " WHERE t.id = due.id RETURNING t.id::text, t.lease_token";
    private static final String HOLD = "UPDATE worker_task SET lease_owner = ?, lease_token = lease_token + 1,"
            + " lease_until = now() + make_interval(secs => ?) WHERE id = ?::uuid"
            + " AND (lease_until IS NULL OR lease_until < now()) RETURNING lease_token";
    private static final String RELEASE = "UPDATE worker_task SET lease_owner = NULL, lease_until = NULL"
            + " WHERE id = ?::uuid AND lease_owner = ? AND lease_token = ?";

    private final Database db;
    private final Leases leases;
    private final Clock clock;
    private final PoolThreads pool = new PoolThreads();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition due = lock.newCondition();
    private volatile boolean closed;
    private Thread listener;

    SharedScheduler(Database db, Leases leases, Clock clock) {
        this.db = db;
        this.leases = leases;
        this.clock = clock;
    }

    @Override
    public ScheduledExecutorService timer() {
        return pool.timer();
    }

    @Override
    public void start(int threads, Turn turn) {
        pool.start(threads, () -> serve(turn));
        listener = PoolThreads.daemon("db-listen").newThread(this::listen);
        listener.start();
    }

    /** The task is due: this node's idle threads look now, the others' when the commit's NOTIFY reaches them. */
    @Override
    public void submit(Task t) {
        signal();
    }

    @Override
    public void wake(Task t) {
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            due.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** An administrator's action takes the task's lease for its few milliseconds, if no turn holds it. */
    @Override
    public boolean hold(String id) {
        long sent = System.nanoTime();
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(HOLD)) {
            s.setString(1, leases.owner());
            s.setDouble(2, leases.ttl().toMillis() / 1000.0);
            s.setString(3, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return false;
                }
                leases.begin(id, r.getLong(1), sent);
                return true;
            }
        } catch (StoreUnavailableException e) {
            return false;
        } catch (SQLException e) {
            db.failure(e);
            return false;
        }
    }

    @Override
    public void release(String id) {
        Lease l = leases.current(id);
        if (l != null) {
            let(l);
        }
    }

    private void serve(Turn turn) {
        while (!closed) {
            Lease lease;
            try {
                lease = claim();
            } catch (StoreUnavailableException e) {
                lease = null; // logged once by the database; claims resume when it is back
            }
            if (lease == null) {
                idle();
                continue;
            }
            boolean letGo = true;
            try {
                turn.take(lease.taskId());
            } catch (InterruptedException e) {
                if (!lease.lost()) {
                    return; // the pool is closing
                }
            } catch (LeaseLostException e) {
                LOG.info("{}", e.getMessage());
            } catch (RuntimeException e) { // a turn records its own failures: a bug in that, never fatal to the pool
                LOG.error("task {}: its turn failed; its lease lapses, then a node takes it again", lease.taskId(), e);
                letGo = false; // not at once: a bug that fails every turn must not spin
            } finally {
                Thread.interrupted(); // a lost lease's interrupt ends with its turn
                if (letGo) {
                    let(lease);
                } else {
                    leases.end(lease);
                }
            }
        }
    }

    /** The oldest due task nobody holds, leased to this thread; null when none is due. */
    private Lease claim() throws StoreUnavailableException {
        long sent = System.nanoTime();
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(CLAIM)) {
            s.setString(1, leases.owner());
            s.setDouble(2, leases.ttl().toMillis() / 1000.0);
            s.setLong(3, clock.millis());
            // a lapsed lease is taken over, except for one lease time after this node saw the database
            // down: then every lease looks lapsed while its holder is alive and about to renew it
            s.setBoolean(4, !db.outageWithin(leases.ttl()));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? leases.begin(r.getString(1), r.getLong(2), sent) : null;
            }
        } catch (SQLException e) {
            if (db.failure(e) instanceof StoreUnavailableException u) {
                throw u;
            }
            LOG.error("claiming a task failed: {}", e.toString());
            return null;
        }
    }

    /** Lets the lease go (the task may be claimed at once); if the database is down it simply lapses. */
    private void let(Lease lease) {
        leases.end(lease);
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(RELEASE)) {
            s.setString(1, lease.taskId());
            s.setString(2, leases.owner());
            s.setLong(3, lease.token());
            s.executeUpdate();
        } catch (StoreUnavailableException e) {
            // the lease lapses by itself
        } catch (SQLException e) {
            db.failure(e);
        }
    }

    private void idle() {
        lock.lock();
        try {
            due.await(IDLE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes this node's idle threads when any node announces a due task; reconnects after trouble. */
    private void listen() {
        while (!closed) {
            try (Connection c = db.connect(); var s = c.createStatement()) {
                s.execute("LISTEN " + SharedTaskStore.TASKS_DUE);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var got = pg.getNotifications((int) IDLE_MS);
                    if (got != null && got.length > 0) {
                        signal();
                    }
                }
            } catch (StoreUnavailableException e) {
                // logged once by the database
            } catch (SQLException e) {
                db.failure(e);
            }
            try {
                Thread.sleep(IDLE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }


    @Override
    public void close() {
        closed = true;
        if (listener != null) {
            listener.interrupt();
            try {
                listener.join(2_000); // before the pool closes its connection under it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.close();
    }
}
