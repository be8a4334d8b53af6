package io.videoworker.worker.admin;

import io.videoworker.worker.auth.PrivateFile;
import io.videoworker.worker.config.WorkerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status page's administrator token: VIDEO_WORKER_ADMIN_TOKEN, or else the one generated on
 * first start into {@code DATA_DIR/keys/admin_token} (0600 from its first byte). Its location is
 * logged, never its value. Compared in constant time ({@link Secrets#same}).
 */
public final class AdminToken {
    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

    private final String token;

    AdminToken(String token) {
        this.token = token;
    }

    /** The configured token, or the generated one (created now if missing); a short one in the file is refused. */
    public static AdminToken load(WorkerConfig config) throws IOException {
        if (config.adminToken() != null) {
            LOG.info("status page: administrator token from VIDEO_WORKER_ADMIN_TOKEN");
            return new AdminToken(config.adminToken());
        }
        Path file = config.adminTokenFile();
        // once for every node sharing DATA_DIR: the first to write it wins, the others read it
        boolean generated = PrivateFile.writeOnce(file, Secrets.random(32) + "\n");
        LOG.info(generated ? "status page: generated an administrator token in {} (read it there to log in)"
                : "status page: administrator token in {}", file);
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < WorkerConfig.MIN_ADMIN_TOKEN) {
            throw new IOException(file + " holds a token of " + token.length() + " characters; the status page needs at least "
                    + WorkerConfig.MIN_ADMIN_TOKEN + " (delete the file to have one generated)");
        }
        return new AdminToken(token);
    }

    public boolean matches(String given) {
        return Secrets.same(token, given);
    }

    /** Never the token itself. */
    @Override
    public String toString() {
        return "AdminToken[" + token.length() + " characters]";
    }
}
