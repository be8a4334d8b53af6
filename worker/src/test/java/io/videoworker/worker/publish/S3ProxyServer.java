package io.videoworker.worker.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.DnsResolver;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.domain.Blob;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * A real S3 server for the S3-API storages' tests: s3proxy in this JVM (its Jetty is shaded, so it
 * does not meet Javalin's) on a free loopback port, AWS signature V4 checked on every request.
 */
final class S3ProxyServer implements AutoCloseable {
    private final S3Proxy proxy;

    /** @param virtualHost the endpoint host of virtual-hosted requests ({@code bucket.<host>}), or null */
    S3ProxyServer(BlobStore blobs, String accessKey, String secretKey, String virtualHost) throws Exception {
        S3Proxy.Builder b = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey);
        if (virtualHost != null) {
            b.virtualHost(virtualHost);
        }
        proxy = b.build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(proxy.getState()).isEqualTo("STARTED");
    }

    /** An in-memory blob store with these buckets. */
    static BlobStore transientStore(String... buckets) {
        // by its ApiMetadata: a lookup by name would load every provider, Azure's included
        BlobStore blobs = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("unused", "unused")
                .build(BlobStoreContext.class).getBlobStore();
        for (String bucket : buckets) {
            blobs.createContainerInLocation(null, bucket);
        }
        return blobs;
    }

    static byte[] stored(BlobStore blobs, String bucket, String key) throws IOException {
        Blob blob = blobs.getBlob(bucket, key);
        if (blob == null) {
            return null;
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    /** An SDK HTTP client that finds every host name on this machine (for virtual-hosted requests). */
    static SdkHttpClient loopbackHttp() {
        DnsResolver loopback = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        return Apache5HttpClient.builder().dnsResolver(loopback).build();
    }

    /**
     * A {@link TcpRelay} request check doing what AWS, Wasabi, OBS and other regional services do
     * and s3proxy does not: refuse a signature for another region than the server's, before
     * checking it.
     */
    static Function<String, String> refusingOtherRegionsThan(String serverRegion) {
        return head -> {
            String auth = TcpRelay.header(head, "authorization");
            Matcher m = SCOPE.matcher(auth == null ? "" : auth);
            String region = m.find() ? m.group(1) : "";
            if (region.equals(serverRegion)) {
                return null;
            }
            String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>"
                    + "<Message>The authorization header is malformed; the region '" + region + "' is wrong; expecting '"
                    + serverRegion + "'</Message><Region>" + serverRegion + "</Region><RequestId>R1</RequestId></Error>";
            return "HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
        };
    }

    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/s3/aws4_request");

    int port() {
        return proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
