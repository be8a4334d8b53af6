package io.videoworker.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Leases;
import io.videoworker.worker.cluster.PostgresServer;
import io.videoworker.worker.config.ClusterSettings;
import io.videoworker.worker.publish.TcpRelay;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import io.videoworker.worker.spool.TaskState;
import io.videoworker.worker.task.LeaseLostException;
import io.videoworker.worker.task.SharedTaskStore;
import io.videoworker.worker.task.StoreUnavailableException;
import io.videoworker.worker.task.TaskDraft;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes of a cluster on one real PostgreSQL, node A reaching it through a TCP relay that the
 * test cuts: a network partition between A and the database, while A could still reach storage
 * and core. A must never act for a task once B may hold it, and A's writes must be refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FencingTest {
    Path root;
    PostgresServer pg;
    TcpRelay relay;
    Spool spool;

    @BeforeAll
    void database() throws Exception {
        root = Files.createTempDirectory("video-worker-fencing-");
        pg = PostgresServer.start(root.resolve("pg"));
        relay = new TcpRelay(pg.port());
        spool = new Spool(root.resolve("tasks"));
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
        pg.close();
    }

    /** A node: its own pool (through the relay or not), leases, store and scheduler. */
    private record Node(Database db, Leases leases, SharedTaskStore store, SharedScheduler scheduler) implements AutoCloseable {
        @Override
        public void close() {
            scheduler.close();
            leases.close();
            db.close();
        }
    }

    private Node node(String name, boolean throughRelay, Duration lease) throws Exception {
        String url = throughRelay ? pg.jdbcUrl().replace(":" + pg.port() + "/", ":" + relay.port() + "/") : pg.jdbcUrl();
        Database db = Database.open(new ClusterSettings(url, pg.user(), pg.password(), lease), 4);
        Leases leases = new Leases(db, name + "#" + UUID.randomUUID().toString().substring(0, 8), lease);
        return new Node(db, leases, new SharedTaskStore(db, spool, leases, Clock.systemUTC(), name),
                new SharedScheduler(db, leases, Clock.systemUTC()));
    }

    /** A queued single-recording task, as a G2 upload leaves it. */
    private static Task queued(SharedTaskStore store) throws Exception {
        TaskDraft d = store.draft(UUID.randomUUID().toString(), Task.Kind.SINGLE);
        d.describeSingle("lion", ".gz", "2025-11-18", 0, 0, 0);
        d.partReceived(0, 10, "00".repeat(32));
        return store.add(d);
    }

    @Test
    void aNodeCutOffFromTheDatabaseNeverActsOnceAnotherMayHoldItsTask() throws Exception {
        ExecutorService onA = Executors.newSingleThreadExecutor(); // A's leases belong to this thread
        try (Node a = node("a", true, Duration.ofSeconds(2)); Node b = node("b", false, Duration.ofSeconds(2))) {
            Task t = queued(b.store());
            assertThat(t.state).isEqualTo(TaskState.QUEUED);
            assertThat(onA.submit(() -> a.scheduler().hold(t.id)).get()).as("A claims the task").isTrue();
            onA.submit(() -> a.store().fence(t.id)).get(1, TimeUnit.SECONDS); // fresh: A may act

            relay.down(); // the partition: A's renewals fail
            Thread.sleep(2_500); // past the lease
            assertThat(b.scheduler().hold(t.id)).as("B claims the task once A's lease lapsed").isTrue();
            Future<?> aActs = onA.submit(() -> a.store().fence(t.id));
            assertThatThrownBy(() -> aActs.get(1500, TimeUnit.MILLISECONDS)).as("A cannot vouch for its lease: it does not act")
                    .isInstanceOf(TimeoutException.class);

            relay.up(); // A's next renewal learns the truth
            assertThatThrownBy(() -> aActs.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LeaseLostException.class);
            Future<Task> aWrites = onA.submit(() -> a.store().change(t.id, TaskDraft::startConversion));
            assertThatThrownBy(aWrites::get).hasCauseInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("lost to b#");

            Task byB = b.store().change(t.id, TaskDraft::startConversion);
            assertThat(byB.state).as("B's lease is the task's").isEqualTo(TaskState.CONVERTING);
            b.scheduler().release(t.id);
            assertThat(pg.psql("SELECT lease_owner IS NULL, lease_token FROM worker_task WHERE id = '" + t.id + "'").strip())
                    .as("released, two claims counted").isEqualTo("t|2");
        } finally {
            relay.up();
            onA.shutdownNow();
        }
    }

    @Test
    void aTurnWaitsForTheDatabaseToRecordItsResultWhileARequestIsToldToComeBack() throws Exception {
        ExecutorService turn = Executors.newSingleThreadExecutor();
        try (Node a = node("a", true, Duration.ofSeconds(30))) {
            Task t = queued(a.store());
            assertThat(turn.submit(() -> a.scheduler().hold(t.id)).get()).isTrue();
            relay.down();
            Future<Task> result = turn.submit(() -> a.store().change(t.id, TaskDraft::startConversion));
            assertThatThrownBy(() -> a.store().change(t.id, d -> d.publishNow("admin")))
                    .as("a request: 503 at once").isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> result.get(2, TimeUnit.SECONDS)).as("the turn waits").isInstanceOf(TimeoutException.class);
            assertThat(a.db().problem()).as("health says so").isNotNull();
            relay.up();
            assertThat(result.get(20, TimeUnit.SECONDS).state).as("recorded once the database is back").isEqualTo(TaskState.CONVERTING);
            assertThat(pg.psql("SELECT state FROM worker_task WHERE id = '" + t.id + "'").strip()).isEqualTo("converting");
        } finally {
            relay.up();
            turn.shutdownNow();
        }
    }
}
