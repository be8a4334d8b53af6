package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.videoworker.worker.core.AccessKey;
import io.videoworker.worker.core.CoreClient;
import io.videoworker.worker.core.CoreStorage;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay storages verify TLS certificates, always: a self-signed HTTPS endpoint is refused by the
 * S3, OSS/OBS and Azure clients before any request is sent. IGNORE_VERIFY_CERTS is about core
 * only (as in JumpServer's own components), and core's "server" storage follows it.
 */
class StorageTlsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static HttpsServer server;
    static final AtomicInteger requests = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void selfSignedServer() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.TWO, new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000),
                name, kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("storage", kp.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] body = "{\"url\":\"/media/x\"}".getBytes();
            ex.sendResponseHeaders(201, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    static boolean certificateRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || String.valueOf(t.getMessage()).contains("PKIX")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void s3RefusesAnUnverifiedCertificate() throws Exception {
        Path f = Files.writeString(dir.resolve("a.mp4"), "mp4");
        int before = requests.get();
        try (S3Storage s3 = S3Storage.fromConfig(JSON.createObjectNode().put("TYPE", "s3").put("BUCKET", "replays")
                .put("ACCESS_KEY", "AK").put("SECRET_KEY", "SK").put("ENDPOINT", url()))) {
            assertThatThrownBy(() -> s3.put("2025-11-18/x.replay.mp4", f)).isInstanceOf(java.io.IOException.class)
                    .matches(StorageTlsTest::certificateRefused, "refused for its certificate");
        }
        assertThat(requests.get()).as("no request reached the server").isEqualTo(before);
    }

    /** (OBS goes through the S3 client above.) An IP endpoint is addressed path-style, https://127.0.0.1:port/replays/. */
    @Test
    void ossRefusesAnUnverifiedCertificate() throws Exception {
        Path f = Files.writeString(dir.resolve("b.mp4"), "mp4");
        int before = requests.get();
        try (OssStorage oss = OssStorage.fromConfig(JSON.createObjectNode().put("BUCKET", "replays")
                .put("ACCESS_KEY", "AK").put("SECRET_KEY", "SK").put("ENDPOINT", url()))) {
            assertThatThrownBy(() -> oss.put("2025-11-18/x.replay.mp4", f)).isInstanceOf(java.io.IOException.class)
                    .matches(StorageTlsTest::certificateRefused, "refused for its certificate");
        }
        assertThat(requests.get()).isEqualTo(before);
    }

    /** Azure's own retry policy would retry the handshake for half a minute: its HTTP client is asked directly. */
    @Test
    void azureClientRefusesAnUnverifiedCertificate() {
        int before = requests.get();
        assertThatThrownBy(() -> AzureStorage.httpClient().sendSync(new HttpRequest(HttpMethod.GET, url() + "/acct/replays"),
                Context.NONE)).matches(StorageTlsTest::certificateRefused, "refused for its certificate");
        assertThat(requests.get()).isEqualTo(before);
    }

    @Test
    void coresServerStorageFollowsIgnoreVerifyCerts() throws Exception {
        Path f = Files.writeString(dir.resolve("c.mp4"), "mp4");
        String key = "2025-11-18/77993207-ccb2-5332-bda2-4586e24c3166.replay.mp4";
        int before = requests.get();
        CoreClient verified = new CoreClient(url(), false);
        verified.useKey(new AccessKey("k", "s"));
        assertThatThrownBy(() -> new CoreStorage(verified).put(key, f)).matches(StorageTlsTest::certificateRefused,
                "refused for its certificate");
        assertThat(requests.get()).isEqualTo(before);
        CoreClient trusting = new CoreClient(url(), true);
        trusting.useKey(new AccessKey("k", "s"));
        new CoreStorage(trusting).put(key, f);
        assertThat(requests.get()).as("IGNORE_VERIFY_CERTS=true reaches core").isEqualTo(before + 1);
    }
}
