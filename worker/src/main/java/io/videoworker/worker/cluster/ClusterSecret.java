package io.videoworker.worker.cluster;

import io.videoworker.worker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Every node of a cluster must have the same VIDEO_WORKER_SECRET_KEY: storage credentials sealed
 * by one node are opened by whichever node publishes. The first node writes a proof of its key
 * (an HMAC of a fixed text, never the key) into the database; a node whose key gives another
 * proof refuses to start, with a message that says so.
 */
public final class ClusterSecret {
    private ClusterSecret() {
    }

    public static void verify(Database db, String secretKey) throws ConfigException, java.io.IOException {
        String proof = proof(secretKey);
        try (Connection c = db.connect()) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO worker_cluster (id, secret_proof) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")) {
                s.setString(1, proof);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT secret_proof FROM worker_cluster WHERE id = 1");
                    ResultSet r = s.executeQuery()) {
                r.next();
                if (!r.getString(1).equals(proof)) {
                    throw new ConfigException("VIDEO_WORKER_SECRET_KEY differs from the one the other nodes of this cluster use"
                            + " (database " + db.describe() + "): every node must have the same key, or it could not open"
                            + " the storage credentials the others sealed");
                }
            }
        } catch (SQLException e) {
            throw db.failure(e);
        }
    }

    static String proof(String secretKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("video-worker cluster secret proof v1".getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
