package io.videoworker.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoworker.worker.cluster.Database;
import io.videoworker.worker.cluster.Leases;
import io.videoworker.worker.cluster.PostgresServer;
import io.videoworker.worker.config.ClusterSettings;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A cluster's task store on a real PostgreSQL: the contract, plus the transitions table it keeps. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedTaskStoreTest extends TaskStoreContract {
    Path root;
    PostgresServer pg;
    Database db;
    Leases leases;
    Spool spool;

    @BeforeAll
    void database() throws Exception {
        root = Files.createTempDirectory("video-worker-store-");
        pg = PostgresServer.start(root.resolve("pg"));
        db = Database.open(new ClusterSettings(pg.jdbcUrl(), pg.user(), pg.password(), Duration.ofSeconds(30)), 12);
        leases = new Leases(db, "test#" + UUID.randomUUID().toString().substring(0, 8), Duration.ofSeconds(30));
        spool = new Spool(root.resolve("tasks"));
    }

    @AfterEach
    void empty() {
        pg.psql("TRUNCATE worker_task CASCADE");
    }

    @AfterAll
    void stop() throws Exception {
        leases.close();
        db.close();
        pg.close();
        Spool.deleteTree(root);
    }

    @Override
    TaskStore store() {
        return new SharedTaskStore(db, spool, leases, clock, "node-t");
    }

    @Override
    Task durable(String id) throws Exception {
        return new ObjectMapper().readValue(pg.psql("SELECT body FROM worker_task WHERE id = '" + id + "'"), Task.class);
    }

    @Test
    void everyChangeOfStateIsATransitionRowNamingTheNode() throws Exception {
        TaskStore store = store();
        Task t = TestTasks.receiving(store, UUID.randomUUID().toString(), 1);
        TestTasks.receive(store, spool, t, 0);
        store.change(t.id, TaskDraft::startConversion);
        assertThat(pg.psql("SELECT string_agg(state || '@' || node, ',' ORDER BY seq) FROM worker_task_transition WHERE task_id = '"
                + t.id + "'").strip()).isEqualTo("receiving@node-t,queued@node-t,converting@node-t");
        assertThat(pg.psql("SELECT state, queued_at > 0 FROM worker_task WHERE id = '" + t.id + "'").strip())
                .as("the columns claims use follow the body").isEqualTo("converting|t");
        assertThat(Files.isDirectory(spool.in(t.id))).as("its folders in the shared spool").isTrue();
    }
}
