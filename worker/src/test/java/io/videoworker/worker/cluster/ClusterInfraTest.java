package io.videoworker.worker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster test's servers are real and do what that test relies on. */
class ClusterInfraTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void postgresKeepsCommittedRowsAcrossAnOutageAndACrash() throws Exception {
        try (PostgresServer pg = PostgresServer.start(Files.createTempDirectory("video-worker-postgres-"))) {
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/videoworker");
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "wrong").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (Connection c = connect(pg); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE note (id int PRIMARY KEY, text text NOT NULL)");
                s.execute("INSERT INTO note VALUES (1, 'before the outage')");
            }

            pg.stop();
            assertThat(pg.running()).isFalse();
            assertThatThrownBy(() -> connect(pg).close()).isInstanceOf(SQLException.class);
            pg.start();
            try (Connection c = connect(pg); Statement s = c.createStatement()) {
                assertThat(texts(s)).containsExactly("before the outage");
                s.execute("INSERT INTO note VALUES (2, 'before the crash')");
            }

            try (Connection open = connect(pg)) { // a session open at the crash does not hold recovery up
                pg.kill();
                assertThat(pg.running()).isFalse();
                pg.start();
                assertThat(pg.running()).isTrue();
            }
            try (Connection c = connect(pg); Statement s = c.createStatement()) {
                assertThat(texts(s)).containsExactly("before the outage", "before the crash");
            }
            assertThat(pg.psql("SELECT id, text FROM note ORDER BY id")).isEqualTo("1|before the outage\n2|before the crash");
        }
    }

    @Test
    void haproxyGoesRoundRobinAndDropsADeadBackend(@TempDir Path dir) throws Exception {
        List<HttpServer> backends = new ArrayList<>();
        try {
            for (String name : List.of("b1", "b2", "b3")) {
                backends.add(backend(name));
            }
            try (LoadBalancer lb = LoadBalancer.start(dir, backends.stream().map(b -> b.getAddress().getPort()).toList())) {
                Map<String, Integer> hits = who(lb, 30);
                assertThat(hits).containsOnlyKeys("b1", "b2", "b3");
                assertThat(hits.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(8));

                backends.get(1).stop(0);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (!lb.log().contains("workers/b2 is DOWN") && System.nanoTime() < deadline) {
                    who(lb, 1); // refused connections to b2 are redispatched meanwhile
                }
                assertThat(lb.log()).as("haproxy's health check marks the stopped backend down within 5 s")
                        .contains("workers/b2 is DOWN");
                Map<String, Integer> after = who(lb, 20);
                assertThat(after).containsOnlyKeys("b1", "b3");
                assertThat(after.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(8));
            }
        } finally {
            backends.forEach(b -> b.stop(0));
        }
    }

    /** {@code n} GETs of /who through the balancer, each must answer 200; counts per backend name. */
    private static Map<String, Integer> who(LoadBalancer lb, int n) throws IOException, InterruptedException {
        Map<String, Integer> hits = new TreeMap<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(lb.baseUrl() + "/who")).timeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET /who through haproxy: " + r.body()).isEqualTo(200);
            hits.merge(r.body(), 1, Integer::sum);
        }
        return hits;
    }

    /** A tiny worker stand-in: healthy, and says who it is. */
    private static HttpServer backend(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/video-worker/health/", ex -> answer(ex, "ok"));
        server.createContext("/who", ex -> answer(ex, name));
        server.start();
        return server;
    }

    private static void answer(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Connection connect(PostgresServer pg) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(pg.jdbcUrl(), p);
    }

    private static List<String> texts(Statement s) throws SQLException {
        List<String> texts = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT text FROM note ORDER BY id")) {
            while (rs.next()) {
                texts.add(rs.getString(1));
            }
        }
        return texts;
    }
}
