package io.videoworker.worker.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's identity at core: the access key in {@code DATA_DIR/keys/.access_key}, obtained
 * once with the bootstrap token (core allows registration only shortly after its start, so the
 * key is kept), validated at start-up, and renewed when core no longer knows it.
 */
public final class Registration {
    private static final Logger LOG = LoggerFactory.getLogger(Registration.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss");

    private final CoreClient core;
    private final String name;
    private final String bootstrapToken;
    private final Path keyFile;

    public Registration(CoreClient core, String name, String bootstrapToken, Path keysDir) {
        this.core = core;
        this.name = name;
        this.bootstrapToken = bootstrapToken;
        this.keyFile = keysDir.resolve(".access_key");
    }

    /**
     * One try at a working key: the stored one if core still accepts it, else a new registration
     * with the bootstrap token. {@link CoreLink} repeats it until it succeeds.
     */
    public AccessKey attempt() throws CoreException {
        AccessKey key = load();
        if (key != null) {
            try {
                return validate(key);
            } catch (CoreException e) {
                if (e.status() != 401) {
                    throw e;
                }
                LOG.warn("core does not accept access key {} (401); registering again", key.id());
            }
        }
        return validate(register());
    }

    private AccessKey validate(AccessKey key) throws CoreException {
        core.useKey(key);
        JsonNode me = core.json("GET", "/api/v1/users/profile/", null);
        if (me.path("id").asText("").isEmpty()) {
            throw new CoreException(200, "core's profile answer has no user id");
        }
        LOG.info("access key {} accepted by core as {}", key.id(), me.path("name").asText(me.path("id").asText()));
        return key;
    }

    private AccessKey load() {
        try {
            if (Files.isRegularFile(keyFile)) {
                return AccessKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{} is unreadable ({}); registering again", keyFile, e.getMessage());
        }
        return null;
    }

    private AccessKey register() throws CoreException {
        if (bootstrapToken == null) {
            throw new CoreException(0, "no access key in " + keyFile + " and no BOOTSTRAP_TOKEN to register with: set BOOTSTRAP_TOKEN");
        }
        String body = CoreClient.JSON.createObjectNode().put("name", name).put("comment", "video_worker")
                .put("type", "video_worker").toString();
        HttpRequest req = HttpRequest.newBuilder(URI.create(core.base() + "/api/v1/terminal/terminal-registrations/"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "BootstrapToken " + bootstrapToken)
                .header("Content-Type", "application/json")
                .header("X-JMS-ORG", "ROOT")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        JsonNode reply;
        try {
            reply = core.send(req, "registration as " + name);
        } catch (CoreException e) {
            throw e.status() == 401 || e.status() == 403
                    ? new CoreException(e.status(), "core refused the bootstrap token (" + e.status()
                            + "): check BOOTSTRAP_TOKEN, or core's registration is closed")
                    : e;
        }
        JsonNode ak = reply.path("service_account").path("access_key");
        if (ak.path("id").asText("").isEmpty() || ak.path("secret").asText("").isEmpty()) {
            throw new CoreException(0, "registration answer has no service_account.access_key");
        }
        AccessKey key = new AccessKey(ak.path("id").asText(), ak.path("secret").asText());
        store(key);
        LOG.info("registered with core as {}; access key {} stored in {}", name, key.id(), keyFile);
        return key;
    }

    private void store(AccessKey key) throws CoreException {
        try {
            Files.createDirectories(keyFile.getParent());
            if (Files.exists(keyFile)) {
                Files.move(keyFile, keyFile.resolveSibling(".access_key_" + STAMP.format(LocalDateTime.now())),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            Path tmp = keyFile.resolveSibling(".access_key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key.id() + ":" + key.secret(), StandardCharsets.UTF_8);
            Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CoreException("cannot store the access key in " + keyFile + ": " + e.getMessage(), e);
        }
    }
}
