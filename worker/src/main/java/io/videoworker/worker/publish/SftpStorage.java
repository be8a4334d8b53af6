package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.UserAuthFactory;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JumpServer's {@code sftp} replay storage: {@code <SFTP_ROOT_PATH>/<key>} on an SFTP server,
 * with password or private-key login (Apache MINA SSHD client, SFTP protocol version 3 as
 * OpenSSH speaks it).
 *
 * <p>Each put uploads to a hidden temporary name beside the target, fsyncs it where the server
 * offers {@code fsync@openssh.com}, then renames it over the target with
 * {@code posix-rename@openssh.com} (atomic replace). A server without that extension gets a
 * plain rename, and if the target already exists, the old file is removed first: readers never
 * see a partial file, only, for a moment, none. Missing directories are created.
 *
 * <p>JumpServer's config carries no host key, so any host key is accepted; its fingerprint is
 * logged the first time per host and port, and a change is logged as a warning. Each operation
 * opens its own SSH session (the interface has no close), so nothing lingers between publishes.
 */
public final class SftpStorage implements ReplayStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SftpStorage.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String POSIX_RENAME = "posix-rename@openssh.com";
    private static final String FSYNC = "fsync@openssh.com";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Host key fingerprints seen in this JVM, by server address, to log each once. */
    static final Map<String, String> SEEN_HOST_KEYS = new ConcurrentHashMap<>();

    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final KeyPair keyPair;
    private final String root;
    /** Tests turn this off to exercise the fallback for servers without posix-rename. */
    boolean usePosixRename = true;

    private SftpStorage(String host, int port, String username, String password, KeyPair keyPair, String rootPath) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("SFTP_HOST is missing");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SFTP_PORT must be between 1 and 65535: " + port);
        }
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("SFTP_USERNAME is missing");
        }
        this.host = stripBrackets(host.trim());
        this.port = port;
        this.username = username;
        this.password = password;
        this.keyPair = keyPair;
        this.root = normalizeRoot(rootPath);
    }

    /** Password login ({@code STP_SECRET_TYPE = password}). */
    public static SftpStorage withPassword(String host, int port, String username, String password, String rootPath) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("SFTP_PASSWORD is missing (STP_SECRET_TYPE is password)");
        }
        return new SftpStorage(host, port, username, password, null, rootPath);
    }

    /**
     * Private-key login ({@code STP_SECRET_TYPE = ssh_key}).
     *
     * @param privateKey OpenSSH ({@code BEGIN OPENSSH PRIVATE KEY}) or PEM (PKCS#1, PKCS#8, EC)
     *                   text, RSA, ECDSA or ed25519, possibly encrypted
     * @param passphrase the key's passphrase; null or empty for an unencrypted key
     */
    public static SftpStorage withPrivateKey(String host, int port, String username, String privateKey,
            String passphrase, String rootPath) {
        return new SftpStorage(host, port, username, null, loadKey(privateKey, passphrase), rootPath);
    }

    /**
     * From JumpServer's TERMINAL_REPLAY_STORAGE object: {@code SFTP_HOST}, {@code SFTP_PORT}
     * (default 22), {@code SFTP_USERNAME}, {@code STP_SECRET_TYPE} ({@code password}, the
     * default, or {@code ssh_key}), {@code SFTP_PASSWORD}, {@code STP_PRIVATE_KEY},
     * {@code STP_PASSPHRASE} and {@code SFTP_ROOT_PATH}.
     *
     * @throws IllegalArgumentException naming the missing or invalid key (never a secret value)
     */
    public static SftpStorage fromConfig(JsonNode cfg) {
        if (cfg == null || !cfg.isObject()) {
            throw new IllegalArgumentException("sftp storage config is not a JSON object");
        }
        String host = StorageSupport.raw(cfg, "SFTP_HOST");
        int port = port(cfg.get("SFTP_PORT"));
        String user = StorageSupport.raw(cfg, "SFTP_USERNAME");
        String root = StorageSupport.raw(cfg, "SFTP_ROOT_PATH");
        String type = StorageSupport.raw(cfg, "STP_SECRET_TYPE");
        type = type == null || type.isBlank() ? "password" : type.trim().toLowerCase(Locale.ROOT);
        // check the plain keys first, so a bad host is reported before any key decryption
        new SftpStorage(host, port, user, null, null, root);
        switch (type) {
            case "password":
                return withPassword(host, port, user, StorageSupport.raw(cfg, "SFTP_PASSWORD"), root);
            case "ssh_key":
                return withPrivateKey(host, port, user, StorageSupport.raw(cfg, "STP_PRIVATE_KEY"), StorageSupport.raw(cfg, "STP_PASSPHRASE"), root);
            default:
                throw new IllegalArgumentException("STP_SECRET_TYPE must be 'password' or 'ssh_key': " + type);
        }
    }

    @Override
    public void put(String key, Path file) throws IOException {
        String target = resolve(key);
        if (!Files.isRegularFile(file)) {
            throw new IOException("not a file: " + file);
        }
        int slash = target.lastIndexOf('/');
        String dir = slash < 0 ? "" : target.substring(0, slash);
        String name = target.substring(slash + 1);
        String tmp = (dir.isEmpty() ? "" : dir + "/") + "." + name + "." + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp";
        run("put of '" + key + "'", sftp -> {
            mkdirs(sftp, dir);
            boolean done = false;
            try {
                try (OutputStream out = sftp.write(tmp)) { // write, create, truncate
                    Files.copy(file, out);
                }
                if (sftp.getServerExtensions().containsKey(FSYNC)) {
                    try (SftpClient.CloseableHandle h = sftp.open(tmp, SftpClient.OpenMode.Write)) {
                        sftp.getExtension(OpenSSHFsyncExtension.class).fsync(h);
                    }
                }
                replace(sftp, tmp, target);
                done = true;
            } finally {
                if (!done) {
                    try {
                        sftp.remove(tmp);
                    } catch (IOException | RuntimeException ignored) {
                        // the temporary file may not exist, or the session may be gone
                    }
                }
            }
        });
    }

    @Override
    public void delete(String key) throws IOException {
        String target = resolve(key);
        run("delete of '" + key + "'", sftp -> {
            try {
                sftp.remove(target);
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
        });
    }

    @Override
    public long sizeOf(String key) throws IOException {
        String target = resolve(key);
        long[] size = {-1};
        run("size of '" + key + "'", sftp -> {
            try {
                size[0] = sftp.stat(target).getSize();
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
        });
        return size[0];
    }

    @Override
    public String type() {
        return "sftp";
    }

    @Override
    public String describe() {
        return "sftp storage " + username + "@" + hostPort() + " " + (root.isEmpty() ? "(login folder)" : root);
    }

    String root() {
        return root;
    }

    private String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Renames tmp over target: atomically where the server can, else remove-then-rename. */
    private void replace(SftpClient sftp, String tmp, String target) throws IOException {
        if (usePosixRename && sftp.getServerExtensions().containsKey(POSIX_RENAME)) {
            sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename(tmp, target);
            return;
        }
        try {
            sftp.rename(tmp, target); // SFTP v3: fails if the target exists
        } catch (SftpException e) {
            if (!exists(sftp, target)) {
                throw e;
            }
            sftp.remove(target);
            sftp.rename(tmp, target);
        }
    }

    private static boolean exists(SftpClient sftp, String path) throws IOException {
        try {
            sftp.lstat(path);
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    /** Creates dir and its missing parents (mkdir -p), tolerating concurrent creation. */
    private static void mkdirs(SftpClient sftp, String dir) throws IOException {
        if (dir.isEmpty() || dir.equals("/")) {
            return;
        }
        try {
            if (!sftp.stat(dir).isDirectory()) {
                throw new IOException(dir + " exists and is not a folder");
            }
            return;
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
        int slash = dir.lastIndexOf('/');
        mkdirs(sftp, slash < 0 ? "" : slash == 0 ? "/" : dir.substring(0, slash));
        try {
            sftp.mkdir(dir);
        } catch (SftpException e) {
            // another writer may have created it meanwhile
            try {
                if (sftp.stat(dir).isDirectory()) {
                    return;
                }
            } catch (SftpException ignored) {
                // report the mkdir failure below
            }
            throw e;
        }
    }

    private interface SftpAction {
        void run(SftpClient sftp) throws IOException;
    }

    private void run(String what, SftpAction action) throws IOException {
        String where = "sftp " + what + " at " + username + "@" + hostPort();
        try (SshClient client = newClient()) {
            client.start();
            ClientSession session;
            try {
                session = client.connect(username, host, port).verify(CONNECT_TIMEOUT).getSession();
            } catch (IOException | RuntimeException e) {
                throw new IOException(where + " failed: cannot connect: " + reason(e), e);
            }
            try (session) {
                if (keyPair != null) {
                    session.addPublicKeyIdentity(keyPair);
                } else {
                    session.addPasswordIdentity(password);
                }
                try {
                    session.auth().verify(AUTH_TIMEOUT);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(where + " failed: login rejected ("
                            + (keyPair != null ? "check SFTP_USERNAME and STP_PRIVATE_KEY" : "check SFTP_USERNAME and SFTP_PASSWORD")
                            + "): " + reason(e), e);
                }
                try (SftpClient sftp = SftpClientFactory.instance()
                        .createSftpClient(session, SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3))) {
                    action.run(sftp);
                } catch (SftpException e) {
                    throw new IOException(where + " (root " + (root.isEmpty() ? "login folder" : root) + ") failed: "
                            + SftpConstants.getStatusName(e.getStatus()) + ": " + e.getMessage(), e);
                }
                session.close(false).await(CLOSE_TIMEOUT); // say goodbye rather than drop the connection
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IOException(where + " failed: " + reason(e), e);
        }
    }

    private SshClient newClient() {
        SshClient client = SshClient.setUpDefaultClient();
        // nothing from this machine's ~/.ssh (config, identities) or an agent: only the configured secret
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        List<UserAuthFactory> auth = new ArrayList<>();
        if (keyPair != null) {
            auth.add(UserAuthPublicKeyFactory.INSTANCE);
        } else {
            auth.add(UserAuthPasswordFactory.INSTANCE);
            auth.add(UserAuthKeyboardInteractiveFactory.INSTANCE); // servers that only ask for the password interactively
        }
        client.setUserAuthFactories(auth);
        client.setServerKeyVerifier(SftpStorage::acceptAndLog);
        return client;
    }

    private static boolean acceptAndLog(ClientSession session, SocketAddress remote, PublicKey key) {
        String fingerprint = KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
        String where = String.valueOf(remote);
        String before = SEEN_HOST_KEYS.put(where, fingerprint);
        if (before == null) {
            LOG.info("sftp server {} has host key {} (accepted: JumpServer's storage config carries no host key)",
                    where, fingerprint);
        } else if (!before.equals(fingerprint)) {
            LOG.warn("sftp server {} host key changed from {} to {} (accepted: JumpServer's storage config carries no host key)",
                    where, before, fingerprint);
        }
        return true;
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; t != null && i < 4; t = t.getCause(), i++) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) {
                m = t.getClass().getSimpleName();
            }
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    private String resolve(String key) throws IOException {
        StorageKey.check(key);
        return root.isEmpty() ? key : root.endsWith("/") ? root + key : root + "/" + key;
    }

    private static String normalizeRoot(String rootPath) {
        if (rootPath == null || rootPath.isBlank()) {
            throw new IllegalArgumentException("SFTP_ROOT_PATH is missing");
        }
        String r = rootPath.trim();
        if (r.indexOf('\0') >= 0 || r.contains("\\")) {
            throw new IllegalArgumentException("SFTP_ROOT_PATH is not a valid path: " + r);
        }
        r = r.replaceAll("/{2,}", "/");
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r.equals(".") ? "" : r.startsWith("./") ? r.substring(2) : r;
    }

    private static String stripBrackets(String h) {
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static int port(JsonNode v) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return 22;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isTextual() && v.asText().trim().matches("\\d{1,5}")) {
            return Integer.parseInt(v.asText().trim());
        }
        throw new IllegalArgumentException("SFTP_PORT is not a port number: " + v);
    }

    // ---- private keys ----

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** Parses the key text; failures name STP_PRIVATE_KEY or STP_PASSPHRASE, never their content. */
    static KeyPair loadKey(String privateKey, String passphrase) {
        if (privateKey == null || privateKey.isBlank()) {
            throw new IllegalArgumentException("STP_PRIVATE_KEY is missing (STP_SECRET_TYPE is ssh_key)");
        }
        String text = normalizeKeyText(privateKey);
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("STP_PRIVATE_KEY is not a PEM or OpenSSH private key"
                    + " (expected a -----BEGIN ... PRIVATE KEY----- block)");
        }
        boolean encrypted = isEncrypted(m.group(1), m.group(2));
        boolean hasPassphrase = passphrase != null && !passphrase.isEmpty();
        if (encrypted && !hasPassphrase) {
            throw new IllegalArgumentException("STP_PRIVATE_KEY is encrypted but STP_PASSPHRASE is empty");
        }
        FilePasswordProvider passwords = (session, resource, retryIndex) -> hasPassphrase ? passphrase : null;
        Iterable<KeyPair> keys;
        try (InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
            keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("STP_PRIVATE_KEY"), in, passwords);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // after a failed decryption the parser's message can quote decrypted bytes: only the type then
            throw new IllegalArgumentException(encrypted
                    ? "STP_PRIVATE_KEY could not be decrypted with STP_PASSPHRASE (wrong passphrase?) or is damaged ("
                            + e.getClass().getSimpleName() + ")"
                    : "STP_PRIVATE_KEY could not be read: " + safeReason(e));
        }
        Iterator<KeyPair> it = keys == null ? null : keys.iterator();
        KeyPair kp = it != null && it.hasNext() ? it.next() : null;
        if (kp == null || kp.getPrivate() == null) {
            throw new IllegalArgumentException("STP_PRIVATE_KEY holds no usable private key (type "
                    + m.group(1).toLowerCase(Locale.ROOT) + ")");
        }
        return kp;
    }

    /** Exception text from key parsing, without anything that could echo key material. */
    private static String safeReason(Throwable e) {
        String name = e.getClass().getSimpleName();
        String msg = e.getMessage();
        if (msg == null || msg.length() > 200 || msg.matches("(?s).*[A-Za-z0-9+/=]{24,}.*")) {
            return name;
        }
        return name + ": " + msg;
    }

    private static boolean isEncrypted(String type, String body) {
        if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
            return true;
        }
        if (!type.equals("OPENSSH PRIVATE KEY")) {
            return false;
        }
        try {
            // "openssh-key-v1\0", then the cipher name as an SSH string: "none" unless encrypted
            ByteBuffer b = ByteBuffer.wrap(Base64.getMimeDecoder().decode(body.trim()));
            byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
            b.position(magic.length);
            int len = b.getInt();
            byte[] cipher = new byte[Math.min(len, 64)];
            b.get(cipher);
            return !new String(cipher, StandardCharsets.US_ASCII).equals("none");
        } catch (RuntimeException e) {
            return false; // let the parser report it
        }
    }

    /**
     * Repairs what web forms do to key text: CRLF line ends, literal "\n" escapes, and keys pasted
     * onto one line with spaces for line breaks.
     */
    static String normalizeKeyText(String key) {
        String t = key.trim().replace("\r\n", "\n").replace('\r', '\n');
        if (t.indexOf('\n') < 0 && t.contains("\\n")) {
            t = t.replace("\\n", "\n");
        }
        Matcher m = PEM.matcher(t);
        if (m.find() && m.group(2).trim().indexOf('\n') < 0 && m.group(2).trim().indexOf(' ') >= 0) {
            String body = m.group(2).trim();
            StringBuilder sb = new StringBuilder("-----BEGIN ").append(m.group(1)).append("-----\n");
            // PEM headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") keep their spaces
            String[] words = body.split(" +");
            for (int i = 0; i < words.length; i++) {
                String w = words[i];
                if ((w.equals("Proc-Type:") || w.equals("DEK-Info:")) && i + 1 < words.length) {
                    sb.append(w).append(' ').append(words[++i]).append('\n');
                    if (w.equals("DEK-Info:")) {
                        sb.append('\n');
                    }
                } else {
                    sb.append(w).append('\n');
                }
            }
            sb.append("-----END ").append(m.group(1)).append("-----\n");
            t = sb.toString();
        }
        return t.endsWith("\n") ? t : t + "\n";
    }
}
