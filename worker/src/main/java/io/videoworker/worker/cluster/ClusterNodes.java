package io.videoworker.worker.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The nodes of the cluster as the database sees them: each node writes its name, this life's
 * instance and version into {@code worker_node} every few seconds; a node not seen for three
 * lease times is gone. Health lists the living ones, so an operator sees the cluster from any node.
 */
public final class ClusterNodes implements AutoCloseable {
    private final Database db;
    private final String name;
    private final String instance;
    private final String version;
    private final Duration gone;
    private final ScheduledExecutorService beat;
    private volatile List<String> alive = List.of();

    public ClusterNodes(Database db, String name, String instance, String version, Duration lease) {
        this.db = db;
        this.name = name;
        this.instance = instance;
        this.version = version;
        this.gone = lease.multipliedBy(3);
        this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-nodes");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1_000, lease.toMillis() / 6);
        beat.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try (Connection c = db.connect()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO worker_node (name, instance, version, started_at, seen_at)"
                    + " VALUES (?, ?, ?, now(), now()) ON CONFLICT (name) DO UPDATE SET seen_at = now(), version = excluded.version,"
                    + " started_at = CASE WHEN worker_node.instance = excluded.instance THEN worker_node.started_at ELSE now() END,"
                    + " instance = excluded.instance")) {
                s.setString(1, name);
                s.setString(2, instance);
                s.setString(3, version);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT name FROM worker_node"
                    + " WHERE seen_at > now() - make_interval(secs => ?) ORDER BY name")) {
                s.setDouble(1, gone.toMillis() / 1000.0);
                List<String> names = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        names.add(r.getString(1));
                    }
                }
                alive = List.copyOf(names);
            }
        } catch (io.videoworker.worker.task.StoreUnavailableException e) {
            // said once by the database; the last list stands
        } catch (SQLException e) {
            db.failure(e);
        }
    }

    /** The nodes seen lately (this one included once it has written its first beat). */
    public List<String> alive() {
        return alive;
    }

    @Override
    public void close() {
        beat.shutdownNow();
    }
}
