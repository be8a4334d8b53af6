package io.videoworker.worker.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What {@code GET /video-worker/health/} says. It answers 200 whenever the process serves HTTP,
 * registered with core or not: core often starts after its components, and a worker marked
 * unhealthy while it waits would only be restarted for nothing (its spool is safe either way).
 * The state is in the body for an operator (docs/deployment.md).
 *
 * @param mode  standalone (local storage) or core
 * @param core  standalone, registering, unreachable, refused or ok
 * @param coreProblem why core is not ok, or null
 * @param database cluster mode: ok or unreachable (new tasks are refused, work waits); null for one worker
 * @param databaseProblem why the database is unreachable, or null
 * @param clusterNodes cluster mode: the nodes the database saw lately; null for one worker
 * @param oldestQueuedSeconds how long the task queued longest has waited (0: none is queued)
 */
public record Health(String version, String mode, String core, String coreProblem, String database, String databaseProblem,
        java.util.List<String> clusterNodes, int queued, long oldestQueuedSeconds,
        int converting, long spoolFreeBytes, long uptimeSeconds) {

    ObjectNode json(ObjectNode o) {
        o.put("status", "ok");
        o.put("version", version);
        o.put("mode", mode);
        o.put("timestamp", System.currentTimeMillis() / 1000);
        o.put("uptime", uptimeSeconds / 60); // minutes, as before
        o.put("uptime_seconds", uptimeSeconds);
        o.put("core", core);
        if (coreProblem != null) {
            o.put("core_error", coreProblem);
        }
        if (database != null) {
            o.put("database", database);
            if (databaseProblem != null) {
                o.put("database_error", databaseProblem);
            }
            clusterNodes.forEach(o.putArray("cluster_nodes")::add);
        }
        o.put("queue", queued);
        o.put("oldest_queued_seconds", oldestQueuedSeconds);
        o.put("converting", converting);
        o.put("spool_free_bytes", spoolFreeBytes);
        return o;
    }
}
