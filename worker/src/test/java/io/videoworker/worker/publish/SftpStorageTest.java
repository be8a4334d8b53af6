package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real SSH server (Apache MINA SSHD) in this JVM on a free loopback port, its SFTP
 * subsystem rooted in a temporary folder; password and public-key logins.
 */
class SftpStorageTest extends ReplayStorageContract {
    static final String USER = "alice";
    static final String PASSWORD = "pa55-w0rd";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path serverRoot;
    static SshServer server;
    static int port;
    static KeyPair rsa;
    static KeyPair ed25519;
    static final Set<PublicKey> authorized = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startServer() throws Exception {
        serverRoot = Files.createDirectories(tmp.resolve("server-root"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
        ed25519 = KeyUtils.generateKeyPair(org.apache.sshd.common.keyprovider.KeyPairProvider.SSH_ED25519, 256);
        authorized.add(rsa.getPublic());
        authorized.add(ed25519.getPublic());

        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider(); // in memory
        hostKey.setAlgorithm(KeyUtils.EC_ALGORITHM);
        server.setKeyPairProvider(hostKey);
        server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        server.setPublickeyAuthenticator((user, key, session) ->
                USER.equals(user) && authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(serverRoot));
        server.start();
        port = server.getPort();
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.stop(true);
        }
    }

    @Override
    int serverPort() {
        return port;
    }

    @Override
    ReplayStorage storage(int port, boolean rightSecret) {
        ObjectNode cfg = passwordConfig(rightSecret ? PASSWORD : wrongSecret(), "/contract");
        cfg.put("SFTP_PORT", port);
        return SftpStorage.fromConfig(cfg);
    }

    @Override
    String wrongSecret() {
        return "Wr0ng-Pa55";
    }

    @Override
    String wrongSecretHint() {
        return "SFTP_PASSWORD";
    }

    @Override
    byte[] stored(String key) throws IOException {
        Path f = serverRoot.resolve("contract").resolve(key);
        return Files.exists(f) ? Files.readAllBytes(f) : null;
    }

    static Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    static String openssh(KeyPair kp, String passphrase) throws Exception {
        OpenSSHKeyEncryptionContext enc = null;
        if (passphrase != null) {
            enc = new OpenSSHKeyEncryptionContext();
            enc.setCipherName("AES");
            enc.setCipherType("256");
            enc.setCipherMode("CTR");
            enc.setPassword(passphrase);
            enc.setKdfRounds(4); // ssh-keygen uses 16; fewer keep the test fast and change nothing else
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "test", enc, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static ObjectNode passwordConfig(String password, String root) {
        ObjectNode n = JSON.createObjectNode();
        n.put("TYPE", "sftp");
        n.put("SFTP_HOST", "127.0.0.1");
        n.put("SFTP_PORT", port);
        n.put("SFTP_USERNAME", USER);
        n.put("STP_SECRET_TYPE", "password");
        n.put("SFTP_PASSWORD", password);
        n.putNull("STP_PRIVATE_KEY");
        n.putNull("STP_PASSPHRASE");
        n.put("SFTP_ROOT_PATH", root);
        return n;
    }

    static ObjectNode keyConfig(String key, String passphrase, String root) {
        ObjectNode n = passwordConfig(null, root);
        n.put("STP_SECRET_TYPE", "ssh_key");
        n.putNull("SFTP_PASSWORD");
        n.put("STP_PRIVATE_KEY", key);
        n.put("STP_PASSPHRASE", passphrase);
        return n;
    }

    static List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    // ---- put, overwrite, delete ----

    @Test
    void putCreatesNestedFoldersUnderTheRoot() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/replays/jumpserver/"));
        Path f = file("part0.mp4", 200_000, 1);
        String key = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166/77993207-ccb2-5332-bda2-4586e24c3166.0.part.mp4";

        s.put(key, f);

        Path stored = serverRoot.resolve("replays/jumpserver").resolve(key);
        assertThat(stored).hasSameBinaryContentAs(f);
        assertThat(leftovers(serverRoot.resolve("replays"))).isEmpty();
        assertThat(s.describe()).isEqualTo("sftp storage alice@127.0.0.1:" + port + " /replays/jumpserver")
                .doesNotContain(PASSWORD);
    }

    @Test
    void relativeRootIsUnderTheLoginFolder() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "relative/root"));
        Path f = file("rel.json", 10, 2);
        s.put("d/sid/sid.replay.json", f);
        assertThat(serverRoot.resolve("relative/root/d/sid/sid.replay.json")).hasSameBinaryContentAs(f);
    }

    @Test
    void overwritesAtomicallyWithPosixRename() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/ow"));
        Path big = file("ow-big", 300_000, 3);
        Path small = file("ow-small", 7, 4);

        s.put("d/sid.replay.mp4", big);
        s.put("d/sid.replay.mp4", small);
        assertThat(serverRoot.resolve("ow/d/sid.replay.mp4")).hasSameBinaryContentAs(small);
        s.put("d/sid.replay.mp4", big);
        assertThat(serverRoot.resolve("ow/d/sid.replay.mp4")).hasSameBinaryContentAs(big);
        assertThat(leftovers(serverRoot.resolve("ow"))).isEmpty();
    }

    @Test
    void overwritesWithoutPosixRename() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/ow-plain"));
        s.usePosixRename = false; // as against a server without posix-rename@openssh.com
        Path a = file("owp-a", 1000, 5);
        Path b = file("owp-b", 2000, 6);

        s.put("k.gz", a);
        s.put("k.gz", b);
        assertThat(serverRoot.resolve("ow-plain/k.gz")).hasSameBinaryContentAs(b);
        assertThat(leftovers(serverRoot.resolve("ow-plain"))).isEmpty();
    }

    @Test
    void deleteRemovesAndIgnoresMissing() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/del"));
        s.put("d/sid.replay.gz", file("del.gz", 10, 7));
        assertThat(serverRoot.resolve("del/d/sid.replay.gz")).exists();

        s.delete("d/sid.replay.gz");
        assertThat(serverRoot.resolve("del/d/sid.replay.gz")).doesNotExist();
        s.delete("d/sid.replay.gz");
        s.delete("no/such/folder/x.gz");
    }

    @Test
    void refusesOddKeys() {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/odd"));
        for (String k : new String[] {"", "/abs", "a/../../etc", "a//b", "a\\b", "dir/", "."}) {
            assertThatThrownBy(() -> s.delete(k)).as(k).isInstanceOf(IOException.class).hasMessageContaining("refusing");
        }
    }

    @Test
    void fileInPlaceOfAFolderIsAnError() throws Exception {
        Files.createDirectories(serverRoot.resolve("clash"));
        Files.writeString(serverRoot.resolve("clash/d"), "not a folder");
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/clash"));
        Path f = file("clash.mp4", 10, 8);
        assertThatThrownBy(() -> s.put("d/x.mp4", f)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a folder");
    }

    // ---- logins ----

    @Test
    void wrongPasswordIsAClearErrorWithoutThePassword() throws Exception {
        String wrong = "Wr0ng-Pa55";
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(wrong, "/wp"));
        Path f = file("wp.mp4", 10, 9);
        assertThatThrownBy(() -> s.put("a.mp4", f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("login rejected")
                .hasMessageContaining("SFTP_PASSWORD")
                .hasMessageNotContaining(wrong);
        assertThat(serverRoot.resolve("wp")).doesNotExist();
    }

    @Test
    void unreachableServerIsAClearError() throws Exception {
        int closed;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = ss.getLocalPort();
        }
        ObjectNode cfg = passwordConfig(PASSWORD, "/x");
        cfg.put("SFTP_PORT", closed);
        SftpStorage s = SftpStorage.fromConfig(cfg);
        assertThatThrownBy(() -> s.delete("a.mp4")).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect");
    }

    @Test
    void rsaKeyInOpenSshFormat() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(keyConfig(openssh(rsa, null), null, "/rsa"));
        Path f = file("rsa.mp4", 5000, 10);
        s.put("a/b.mp4", f);
        assertThat(serverRoot.resolve("rsa/a/b.mp4")).hasSameBinaryContentAs(f);
    }

    @Test
    void encryptedEd25519KeyWithItsPassphrase() throws Exception {
        String pem = openssh(ed25519, "correct horse");
        assertThat(pem).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        SftpStorage s = SftpStorage.fromConfig(keyConfig(pem, "correct horse", "/ed"));
        Path f = file("ed.mp4", 5000, 11);
        s.put("a/b.mp4", f);
        assertThat(serverRoot.resolve("ed/a/b.mp4")).hasSameBinaryContentAs(f);
    }

    @Test
    void unencryptedKeyIgnoresAPassphrase() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(keyConfig(openssh(ed25519, null), "unused", "/ed-plain"));
        Path f = file("edp.mp4", 100, 12);
        s.put("x.mp4", f);
        assertThat(serverRoot.resolve("ed-plain/x.mp4")).hasSameBinaryContentAs(f);
    }

    @Test
    void wrongPassphraseIsAClearError() throws Exception {
        String pem = openssh(rsa, "right one");
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(pem, "wrong one", "/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STP_PASSPHRASE")
                .hasMessageNotContaining("wrong one")
                .hasMessageNotContaining("right one");
        String ed = openssh(ed25519, "right one");
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(ed, "wrong one", "/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STP_PASSPHRASE");
    }

    @Test
    void encryptedKeyWithoutPassphraseIsAClearError() throws Exception {
        String pem = openssh(ed25519, "secret");
        for (String empty : new String[] {null, ""}) {
            assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(pem, empty, "/x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("STP_PRIVATE_KEY is encrypted but STP_PASSPHRASE is empty");
        }
    }

    @Test
    void pemKeysPkcs8AndEncryptedPkcs1() throws Exception {
        String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(rsa.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path f = file("pem.mp4", 100, 13);
        SftpStorage.fromConfig(keyConfig(pkcs8, null, "/pem8")).put("x.mp4", f);
        assertThat(serverRoot.resolve("pem8/x.mp4")).hasSameBinaryContentAs(f);

        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(rsa, new JcePEMEncryptorBuilder("AES-128-CBC").build("pem pass".toCharArray()));
        }
        String pkcs1 = w.toString();
        assertThat(pkcs1).contains("BEGIN RSA PRIVATE KEY").contains("Proc-Type: 4,ENCRYPTED");
        SftpStorage.fromConfig(keyConfig(pkcs1, "pem pass", "/pem1")).put("x.mp4", f);
        assertThat(serverRoot.resolve("pem1/x.mp4")).hasSameBinaryContentAs(f);
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(pkcs1, "bad pass", "/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STP_PASSPHRASE");

        StringWriter w8 = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w8)) {
            pw.writeObject(new JcaPKCS8Generator(rsa.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setPassword("p8 pass".toCharArray()).build()));
        }
        String encPkcs8 = w8.toString();
        assertThat(encPkcs8).contains("BEGIN ENCRYPTED PRIVATE KEY");
        SftpStorage.fromConfig(keyConfig(encPkcs8, "p8 pass", "/pem8e")).put("x.mp4", f);
        assertThat(serverRoot.resolve("pem8e/x.mp4")).hasSameBinaryContentAs(f);
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(encPkcs8, null, "/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STP_PRIVATE_KEY is encrypted but STP_PASSPHRASE is empty");
    }

    @Test
    void acceptsAnyHostKeyAndRemembersItsFingerprint() throws Exception {
        SftpStorage.fromConfig(passwordConfig(PASSWORD, "/fp")).delete("x");
        PublicKey hostKey = server.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
        assertThat(SftpStorage.SEEN_HOST_KEYS).containsValue(
                KeyUtils.getKeyType(hostKey) + " " + KeyUtils.getFingerPrint(hostKey));
    }

    @Test
    void keyTextMangledByAWebFormStillLoads() throws Exception {
        String pem = openssh(rsa, null);
        String crlf = pem.replace("\n", "\r\n");
        String escaped = pem.replace("\n", "\\n");
        String oneLine = pem.replace("\n", " ");
        for (String k : new String[] {crlf, escaped, oneLine}) {
            KeyPair kp = SftpStorage.loadKey(k, null);
            assertThat(KeyUtils.compareKeys(kp.getPublic(), rsa.getPublic())).isTrue();
        }
    }

    @Test
    void keyTheServerDoesNotKnowIsRejected() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair stranger = g.generateKeyPair();
        SftpStorage s = SftpStorage.fromConfig(keyConfig(openssh(stranger, null), null, "/stranger"));
        Path f = file("stranger.mp4", 10, 14);
        assertThatThrownBy(() -> s.put("x.mp4", f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("login rejected")
                .hasMessageContaining("STP_PRIVATE_KEY");
    }

    // ---- config ----

    @Test
    void configErrorsNameTheKey() {
        ObjectNode ok = passwordConfig(PASSWORD, "/r");
        Object[][] cases = {
            {"SFTP_HOST", null, "SFTP_HOST is missing"},
            {"SFTP_USERNAME", "", "SFTP_USERNAME is missing"},
            {"SFTP_ROOT_PATH", null, "SFTP_ROOT_PATH is missing"},
            {"SFTP_PORT", "ssh", "SFTP_PORT is not a port number"},
            {"SFTP_PORT", 70000, "SFTP_PORT must be between 1 and 65535"},
            {"STP_SECRET_TYPE", "token", "STP_SECRET_TYPE must be 'password' or 'ssh_key'"},
            {"SFTP_PASSWORD", null, "SFTP_PASSWORD is missing"},
        };
        for (Object[] c : cases) {
            ObjectNode n = ok.deepCopy();
            if (c[1] == null) {
                n.putNull((String) c[0]);
            } else if (c[1] instanceof Integer i) {
                n.put((String) c[0], i);
            } else {
                n.put((String) c[0], (String) c[1]);
            }
            assertThatThrownBy(() -> SftpStorage.fromConfig(n)).as(c[2].toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining((String) c[2])
                    .hasMessageNotContaining(PASSWORD);
        }
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig(null, null, "/r")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STP_PRIVATE_KEY is missing");
        assertThatThrownBy(() -> SftpStorage.fromConfig(keyConfig("ssh-rsa AAAA... not a private key", null, "/r")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STP_PRIVATE_KEY is not a PEM");
    }

    @Test
    void configDefaults() {
        ObjectNode n = passwordConfig(PASSWORD, "/r");
        n.putNull("SFTP_PORT");
        n.putNull("STP_SECRET_TYPE");
        assertThat(SftpStorage.fromConfig(n).describe()).isEqualTo("sftp storage alice@127.0.0.1:22 /r");
        n.put("SFTP_PORT", "2222");
        n.put("SFTP_HOST", "::1");
        assertThat(SftpStorage.fromConfig(n).describe()).isEqualTo("sftp storage alice@[::1]:2222 /r");
    }

    @Test
    void sizeOfTellsWhetherAFileIsThere() throws Exception {
        SftpStorage s = SftpStorage.fromConfig(passwordConfig(PASSWORD, "/sizes"));
        String key = "2025-11-18/size-probe.replay.mp4";
        assertThat(s.sizeOf(key)).isEqualTo(-1);
        s.put(key, file("probe", 4_321, 9));
        assertThat(s.sizeOf(key)).isEqualTo(4_321);
    }
}
