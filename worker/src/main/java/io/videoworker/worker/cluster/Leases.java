package io.videoworker.worker.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases this node holds, and their renewal: every sixth of the lease's time each is renewed
 * with its fencing token; one the database no longer knows by that token is lost, and its holder
 * interrupted. A thread holds at most one lease at a time (its task's turn, or an administrator's
 * action), so "the lease of this thread for this task" is the question every fenced write asks.
 */
public final class Leases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

    private final Database db;
    private final String owner;
    private final Duration ttl;
    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private final ThreadLocal<Lease> mine = new ThreadLocal<>();
    private final ScheduledExecutorService renewer;

    /** @param owner this node's life: its NAME and a random instance id, so a restarted node never takes its old leases for its own */
    public Leases(Database db, String owner, Duration ttl) {
        this.db = db;
        this.owner = owner;
        this.ttl = ttl;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-renewal");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(500, ttl.toMillis() / 6);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    public String owner() {
        return owner;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Makes a claim the database granted this thread's lease (renewed as of {@code sentAt}, when the claim was sent). */
    public Lease begin(String taskId, long token, long sentAt) {
        Lease l = new Lease(taskId, token, ttl.toNanos(), sentAt);
        held.put(taskId, l);
        mine.set(l);
        return l;
    }

    /** The thread's lease ends (released, or lost). */
    public void end(Lease l) {
        held.remove(l.taskId(), l);
        if (mine.get() == l) {
            mine.remove();
        }
    }

    /** This thread's lease on the task, or null (a request thread, or a turn on another task). */
    public Lease current(String taskId) {
        Lease l = mine.get();
        return l != null && l.taskId().equals(taskId) ? l : null;
    }

    /** The tasks this node works on now. */
    public int count() {
        return held.size();
    }

    private void renewAll() {
        for (Lease l : held.values()) {
            if (l.lost()) {
                continue;
            }
            long sent = System.nanoTime();
            try (Connection c = db.connect();
                    PreparedStatement s = c.prepareStatement("UPDATE worker_task SET lease_until = now() + make_interval(secs => ?)"
                            + " WHERE id = ?::uuid AND lease_owner = ? AND lease_token = ?")) {
                s.setDouble(1, ttl.toMillis() / 1000.0);
                s.setString(2, l.taskId());
                s.setString(3, owner);
                s.setLong(4, l.token());
                if (s.executeUpdate() == 1) {
                    l.renewed(sent);
                } else if (held.get(l.taskId()) == l) {
                    LOG.warn("task {}: lease {} was taken over by another node; this node stops working on it", l.taskId(), l.token());
                    l.lose();
                }
            } catch (io.videoworker.worker.task.StoreUnavailableException e) {
                return; // logged once by the database; the leases wait (fence: not fresh) and are renewed when it is back
            } catch (SQLException e) {
                db.failure(e);
                return;
            }
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
