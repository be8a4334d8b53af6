import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoworker.worker.auth.HttpSignature;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * Cluster load (bench/cluster.sh): T tiny two-part tasks (G3 protocol) from C clients, every HTTP
 * request to the next node in turn (what a round-robin balancer does), then the cluster's
 * coordination figures from PostgreSQL as one JSON line: claim latency (queued → first converting,
 * from worker_task_transition), end to end (created → done), and the database load per task.
 *
 * Run: java -cp worker/target/video-worker.jar bench/ClusterLoad.java --nodes URL[,URL...]
 *        --db JDBC_URL --db-user SUPERUSER --db-password PW --app-user ROLE --key ID:SECRET
 *        [--tasks 60] [--clients 4] [--idle-seconds 10] [--timeout-seconds 600]
 * --db-user must be a superuser (it resets and reads pg_stat_statements); --app-user is the nodes'
 * role, whose statements are the ones counted.
 */
public class ClusterLoad {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static List<String> nodes;
    static final AtomicInteger NEXT = new AtomicInteger();
    static String keyId;
    static String keySecret;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = args(argv);
        nodes = List.of(need(a, "nodes").split(","));
        String[] key = need(a, "key").split(":", 2);
        keyId = key[0];
        keySecret = key[1];
        int tasks = Integer.parseInt(a.getOrDefault("tasks", "60"));
        int clients = Integer.parseInt(a.getOrDefault("clients", "4"));
        int idleSeconds = Integer.parseInt(a.getOrDefault("idle-seconds", "10"));
        long timeoutMs = 1000L * Integer.parseInt(a.getOrDefault("timeout-seconds", "600"));
        String appUser = need(a, "app-user");

        try (Connection db = DriverManager.getConnection(need(a, "db"), need(a, "db-user"), need(a, "db-password"))) {
            db.setAutoCommit(true);
            boolean pgss = one(db, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'") > 0;

            // the nodes' background polling alone (claims that find nothing, lease and node heartbeats),
            // so the per-task figures can be read with it in mind: the flush wait below includes some
            Map<String, Long> idle0 = counters(db, pgss, appUser);
            Thread.sleep(idleSeconds * 1000L);
            Map<String, Long> idle1 = counters(db, pgss, appUser);

            Map<String, Long> before = counters(db, pgss, appUser);
            byte[][] parts = {part(0x2060a0, 1_763_431_200_000L, 1_763_431_210_000L),
                    part(0xa06020, 1_763_431_210_000L, 1_763_431_220_000L)};
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                ids.add(pool.submit(() -> send(parts)));
            }
            List<String> taskIds = new ArrayList<>();
            for (Future<String> f : ids) {
                taskIds.add(f.get());
            }
            double acceptSec = (System.nanoTime() - t0) / 1e9;
            // polling shares the same round robin, as Lion's status calls would
            Map<String, Integer> finals = new HashMap<>();
            List<Future<String>> waits = new ArrayList<>();
            for (String id : taskIds) {
                waits.add(pool.submit(() -> waitFinished(id, t0, timeoutMs)));
            }
            for (int i = 0; i < waits.size(); i++) {
                finals.merge(waits.get(i).get(), 1, Integer::sum);
            }
            double wallSec = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();

            // PostgreSQL 15 flushes a backend's statistics at most once a second while busy and
            // within 10 s once idle: wait that out, or the last transactions would not be counted
            Thread.sleep(11_000);
            Map<String, Long> after = counters(db, pgss, appUser);

            ObjectNode out = JSON.createObjectNode();
            out.put("nodes", nodes.size()).put("tasks", tasks).put("clients", clients);
            ObjectNode st = out.putObject("final_states");
            finals.forEach(st::put);
            out.put("accept_seconds", round(acceptSec)).put("wall_seconds", round(wallSec))
                    .put("tasks_per_second", round(tasks / wallSec));
            List<Long> claim = list(db, "SELECT (SELECT min(at) FROM worker_task_transition c WHERE c.task_id = q.task_id AND c.state = 'converting')"
                    + " - min(q.at) FROM worker_task_transition q WHERE q.state = 'queued' GROUP BY q.task_id");
            List<Long> e2e = list(db, "SELECT (SELECT min(at) FROM worker_task_transition d WHERE d.task_id = t.id AND d.state = 'done')"
                    + " - t.created_at FROM worker_task t");
            // the service time (converting → done): how long a node is busy per task, so claim latency
            // can be read as queueing for a free conversion thread plus the claim itself
            List<Long> busy = list(db, "SELECT (SELECT min(at) FROM worker_task_transition d WHERE d.task_id = c.task_id AND d.state = 'done')"
                    + " - min(c.at) FROM worker_task_transition c WHERE c.state = 'converting' GROUP BY c.task_id");
            // a node's conversion thread idle between two tasks while others still wait: the
            // scheduler's own delay (polling, claim round trip), the coordination cost per turn
            List<Long> gap = list(db, "SELECT at - prev_at FROM (SELECT state, at, lag(state) OVER w AS prev_state, lag(at) OVER w AS prev_at"
                    + " FROM worker_task_transition WHERE state IN ('converting', 'done') WINDOW w AS (PARTITION BY node ORDER BY at, seq)) x"
                    + " WHERE state = 'converting' AND prev_state = 'done'");
            out.set("claim_ms", stats(claim));
            out.set("done_to_next_claim_ms", stats(gap));
            // round robin spreads the requests; which node then converts is up to the claims
            out.put("claimed_by_queuing_node", round(one(db, "SELECT count(*) FROM worker_task_transition c JOIN worker_task_transition q"
                    + " ON q.task_id = c.task_id AND q.state = 'queued' AND c.state = 'converting' AND q.node = c.node") / (double) tasks));
            out.set("converting_to_done_ms", stats(busy));
            out.set("end_to_end_ms", stats(e2e));
            ObjectNode conv = out.putObject("converted_by");
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT node, count(DISTINCT task_id) FROM worker_task_transition WHERE state = 'converting' GROUP BY node ORDER BY node")) {
                while (r.next()) {
                    conv.put(r.getString(1), r.getLong(2));
                }
            }
            out.put("claims_per_task", round(one(db, "SELECT count(*) FROM worker_task_transition WHERE state = 'converting'") / (double) tasks));
            out.put("db_counter", pgss ? "pg_stat_statements (calls by " + appUser + ")" : "pg_stat_database (transactions)");
            ObjectNode per = out.putObject("db_per_task");
            ObjectNode idleRate = out.putObject("db_idle_per_second");
            double loadSec = wallSec + 11;
            for (String k : after.keySet()) {
                per.put(k, round((after.get(k) - before.get(k)) / (double) tasks));
                idleRate.put(k, round((idle1.get(k) - idle0.get(k)) / (double) idleSeconds));
            }
            out.put("db_window_seconds", round(loadSec));
            System.out.println(out);
            if (finals.getOrDefault("done", 0) != tasks) {
                System.err.println("ClusterLoad: not every task is done: " + finals);
                System.exit(2);
            }
        }
    }

    /** Creates the task, then uploads both parts, each request to the next node. */
    static String send(byte[][] parts) throws Exception {
        String sid = UUID.randomUUID().toString();
        ObjectNode body = JSON.createObjectNode();
        body.putObject("config").put("MaxFrame", 0).put("Width", 1280).put("Height", 800).put("Bitrate", 1);
        ObjectNode meta = body.putObject("meta");
        meta.put("id", sid).put("protocol", "vnc").put("type", "guacamole")
                .put("date_start", "2025-11-18 02:00:00 +0000").put("date_end", "2025-11-18 02:00:20 +0000");
        ArrayNode files = meta.putArray("files");
        for (int i = 0; i < parts.length; i++) {
            long start = 1_763_431_200_000L + 10_000L * i;
            files.addObject().put("name", sid + "." + i + ".part.gz").put("start", start).put("end", start + 10_000)
                    .put("duration", 10_000).put("size", parts[i].length).put("checksum", sha256(parts[i]));
        }
        JsonNode created = call("/api/v2/replay/sessions/" + sid + "/task/", "application/json",
                HttpRequest.BodyPublishers.ofString(body.toString()));
        String id = created.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalStateException("create of " + sid + " answered " + created);
        }
        for (int i = 0; i < parts.length; i++) {
            String b = "c1b2a3";
            byte[] head = ("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + sid + "." + i
                    + ".part.gz\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            JsonNode r = call("/api/v2/replay/sessions/" + id + "/task/upload/" + i, "multipart/form-data; boundary=" + b,
                    HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                            HttpRequest.BodyPublishers.ofByteArray(parts[i]),
                            HttpRequest.BodyPublishers.ofString("\r\n--" + b + "--\r\n")));
            if (!r.path("ok").asBoolean()) {
                throw new IllegalStateException("upload " + i + " of task " + id + " answered " + r);
            }
        }
        return id;
    }

    static String waitFinished(String id, long t0, long timeoutMs) throws Exception {
        JsonNode s = null;
        while ((System.nanoTime() - t0) / 1_000_000 < timeoutMs) {
            s = call("/api/v2/replay/tasks/" + id + "/", null, null);
            String state = s.path("state").asText();
            if (state.matches("done|failed|expired")) {
                return state;
            }
            Thread.sleep(200);
        }
        System.err.println("ClusterLoad: task " + id + " unfinished after " + timeoutMs / 1000 + " s: " + s);
        return "unfinished:" + s.path("state").asText("?");
    }

    /** One signed request (as Lion signs: a GET of the profile path, Date and Authorization copied) to the next node. */
    static JsonNode call(String path, String contentType, HttpRequest.BodyPublisher body) throws Exception {
        String node = nodes.get(Math.floorMod(NEXT.getAndIncrement(), nodes.size()));
        String date = HttpSignature.now();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + path)).header("Date", date)
                .header("Authorization", HttpSignature.authorization(keyId, keySecret, "GET", "/api/v1/users/profile/", date));
        HttpRequest req = body == null ? b.GET().build() : b.header("Content-Type", contentType).POST(body).build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(req.method() + " " + node + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Cumulative counters in one query, so the bench's own reads add a single transaction: the
     * nodes' statements (pg_stat_statements, their role only) or the database's transactions, rows
     * changed in the tables, WAL position, table and index bytes.
     */
    static Map<String, Long> counters(Connection db, boolean pgss, String appUser) throws Exception {
        String sql = "SELECT "
                + (pgss ? "(SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid"
                        + " WHERE r.rolname = '" + appUser.replace("'", "''") + "'"
                        + " AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS statements, " : "")
                + "(SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS transactions,"
                + " coalesce(sum(n_tup_ins), 0) AS rows_inserted, coalesce(sum(n_tup_upd), 0) AS rows_updated,"
                + " coalesce(sum(n_tup_del), 0) AS rows_deleted, pg_current_wal_lsn() - '0/0'::pg_lsn AS wal_bytes,"
                + " coalesce(sum(pg_total_relation_size(relid)), 0) AS table_index_bytes FROM pg_stat_user_tables";
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                m.put(r.getMetaData().getColumnLabel(i), r.getBigDecimal(i).longValue());
            }
        }
        return m;
    }

    static long one(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getBigDecimal(1).longValue();
        }
    }

    /** The non-null values of the first column. */
    static List<Long> list(Connection db, String sql) throws Exception {
        List<Long> v = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                long x = r.getLong(1);
                if (!r.wasNull()) {
                    v.add(x);
                }
            }
        }
        Collections.sort(v);
        return v;
    }

    static ObjectNode stats(List<Long> sorted) {
        ObjectNode o = JSON.createObjectNode();
        o.put("n", sorted.size());
        if (!sorted.isEmpty()) {
            o.put("p50", pct(sorted, 50)).put("p95", pct(sorted, 95)).put("max", sorted.get(sorted.size() - 1));
        }
        return o;
    }

    /** Nearest-rank percentile. */
    static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static Map<String, String> args(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 == argv.length) {
                throw new IllegalArgumentException("arguments are --name value pairs; got '" + argv[i] + "' (see the class comment)");
            }
            m.put(argv[i].substring(2), argv[++i]);
        }
        return m;
    }

    static String need(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required (see the class comment)");
        }
        return v;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    // ---- the recording: mirrors TestRecordings.part/el/png/gzip (worker's tests), which a bench cannot use

    /** A gzipped Lion part: a 64×48 solid colour, a sync every 500 ms from start to end, disconnect. */
    static byte[] part(int rgb, long start, long end) throws IOException {
        StringBuilder sb = new StringBuilder();
        el(sb, "mouse", "3", "3", "0", String.valueOf(start - 2000));
        el(sb, "size", "0", "64", "48");
        el(sb, "img", "1", "14", "0", "image/png", "0", "0");
        el(sb, "blob", "1", png(64, 48, rgb));
        el(sb, "end", "1");
        for (long t = start; t <= end; t += 500) {
            el(sb, "sync", String.valueOf(t));
        }
        el(sb, "disconnect");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static void el(StringBuilder sb, String... elements) {
        for (int i = 0; i < elements.length; i++) {
            sb.append(i == 0 ? "" : ",").append(elements[i].length()).append('.').append(elements[i]);
        }
        sb.append(';');
    }

    static String png(int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
