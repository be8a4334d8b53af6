package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatAndTlsTest {
    @TempDir
    Path dir;

    @Test
    void heartbeatFallsBackToHttpAfterThreeFailedSockets() throws Exception {
        try (SimulatedCore core = new SimulatedCore()) {
            core.refuseSocket = true;
            String[] key = core.addCaller();
            CoreClient client = new CoreClient(core.url(), false);
            client.useKey(new AccessKey(key[0], key[1]));
            try (Heartbeat hb = new Heartbeat(client, () -> 2, dir, Duration.ofMillis(200), Duration.ofMillis(100)).start()) {
                long deadline = System.currentTimeMillis() + 15_000;
                while (core.heartbeats.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
            }
            assertThat(core.heartbeats).isNotEmpty();
            assertThat(core.heartbeats.get(0).path("session_online").asInt()).isEqualTo(2);
            assertThat(core.calls("POST", "/api/v1/terminal/terminals/status/")).isNotEmpty();
        }
    }

    @Test
    void theSocketGoesToCoreHostsRootAsTheSdkBuildsIt() {
        assertThat(Heartbeat.socketUri("http://core:8080")).hasToString("ws://core:8080/ws/terminal-task/");
        assertThat(Heartbeat.socketUri("https://jms.example.com/core")).hasToString("wss://jms.example.com/ws/terminal-task/");
        assertThat(Heartbeat.socketUri("HTTPS://[::1]:8443/a/b")).hasToString("wss://[::1]:8443/ws/terminal-task/");
    }

    @Test
    void cpuLoadIsDividedByTheHostsCpusListedInCpuinfo() throws Exception {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n\n"
                + "processor\t: 2\nflags\t\t: fpu processor\n");
        assertThat(Heartbeat.SystemFigures.hostCpus(cpuinfo)).isEqualTo(3);
        assertThat(Heartbeat.SystemFigures.hostCpus(dir.resolve("absent"))).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    /** A self-signed HTTPS server: verified clients refuse it, IGNORE_VERIFY_CERTS clients accept it. */
    @Test
    void tlsIsVerifiedUnlessToldToIgnoreCertificates() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=core.invalid");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000),
                name, kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("core", kp.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/api/v1/users/profile/", ex -> {
            byte[] body = "{\"id\":\"me\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort();
            CoreClient verified = new CoreClient(url, false);
            verified.useKey(new AccessKey("k", "s"));
            assertThatThrownBy(() -> verified.json("GET", "/api/v1/users/profile/", null))
                    .isInstanceOf(CoreException.class).hasMessageContaining("unreachable");
            // registration explains it in one line an operator can act on
            CoreException refused = org.assertj.core.api.Assertions.catchThrowableOfType(CoreException.class,
                    () -> verified.json("GET", "/api/v1/users/profile/", null));
            CoreLink.Failure f = new CoreLink(null, url, Duration.ofSeconds(1), Duration.ofSeconds(1), k -> { }).explain(refused);
            assertThat(f.state()).isEqualTo(CoreLink.State.UNREACHABLE);
            assertThat(f.why()).startsWith("TLS failure talking to core at " + url + ": ")
                    .endsWith("(IGNORE_VERIFY_CERTS=true accepts a self-signed certificate)");
            CoreClient trusting = new CoreClient(url, true);
            trusting.useKey(new AccessKey("k", "s"));
            assertThat(trusting.json("GET", "/api/v1/users/profile/", null).path("id").asText()).isEqualTo("me");
        } finally {
            server.stop(0);
        }
    }
}
