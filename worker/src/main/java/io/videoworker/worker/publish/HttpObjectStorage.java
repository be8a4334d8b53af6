package io.videoworker.worker.publish;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PUT Object and DELETE Object against a virtual-hosted bucket ({@code scheme://bucket.endpoint/key})
 * with java.net.http; subclasses sign. The file is streamed, after a first pass that computes
 * Content-MD5 so the server rejects a corrupted upload. A single PUT is atomic: the object appears
 * complete or not at all, and replaces an older one.
 */
abstract class HttpObjectStorage implements ReplayStorage {
    /** PUT Object's limit at both vendors. */
    static final long MAX_SINGLE_PUT = 5L * 1024 * 1024 * 1024;

    private static volatile HttpClient sharedClient;

    final String vendor;
    final URI endpoint;
    final String bucket;
    final URI bucketUrl;
    final Clock clock;
    private final HttpClient http;

    HttpObjectStorage(String vendor, URI endpoint, String bucket, HttpClient http, Clock clock) {
        this.vendor = vendor;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.http = http != null ? http : sharedClient();
        this.clock = clock != null ? clock : Clock.systemUTC();
        String host = endpoint.getHost();
        // an endpoint that already names the bucket is used as is
        String authority = host.startsWith(bucket + ".") ? endpoint.getRawAuthority() : bucket + "." + endpoint.getRawAuthority();
        this.bucketUrl = URI.create(endpoint.getScheme() + "://" + authority);
    }

    static HttpClient sharedClient() {
        HttpClient c = sharedClient;
        if (c == null) {
            synchronized (HttpObjectStorage.class) {
                c = sharedClient;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(15))
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    sharedClient = c;
                }
            }
        }
        return c;
    }

    /** Adds the date and Authorization headers (and any vendor headers) for this request. */
    abstract void sign(String method, String key, Map<String, String> headers);

    URI objectUrl(String key) {
        return URI.create(bucketUrl + "/" + StorageSupport.percentEncode(key, true));
    }

    @Override
    public void put(String key, Path file) throws IOException {
        StorageSupport.checkKey(key);
        long size = Files.size(file);
        if (size > MAX_SINGLE_PUT) {
            throw new IOException(vendor + ": " + file.getFileName() + " is " + size
                    + " bytes, over the 5 GiB limit of a single PUT Object");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", StorageSupport.contentType(key));
        headers.put("Content-MD5", StorageSupport.md5Base64(file, 0, size));
        sign("PUT", key, headers);
        HttpRequest.Builder req = HttpRequest.newBuilder(objectUrl(key))
                .PUT(HttpRequest.BodyPublishers.ofFile(file))
                .expectContinue(true)
                // a safety net against a stalled connection, lenient for slow links (128 KiB/s)
                .timeout(Duration.ofSeconds(300 + size / (128 * 1024)));
        headers.forEach(req::header);
        HttpResponse<String> resp = send(req.build(), "PUT", key);
        if (resp.statusCode() / 100 != 2) {
            throw failure("PUT", key, resp);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        StorageSupport.checkKey(key);
        Map<String, String> headers = new LinkedHashMap<>();
        sign("DELETE", key, headers);
        HttpRequest.Builder req = HttpRequest.newBuilder(objectUrl(key)).DELETE().timeout(Duration.ofSeconds(120));
        headers.forEach(req::header);
        HttpResponse<String> resp = send(req.build(), "DELETE", key);
        int status = resp.statusCode();
        if (status / 100 == 2 || (status == 404 && "NoSuchKey".equals(StorageSupport.errorCode(resp.body())))) {
            return; // deleting a missing object is not an error
        }
        throw failure("DELETE", key, resp);
    }

    @Override
    public long sizeOf(String key) throws IOException {
        StorageSupport.checkKey(key);
        Map<String, String> headers = new LinkedHashMap<>();
        sign("HEAD", key, headers);
        HttpRequest.Builder req = HttpRequest.newBuilder(objectUrl(key))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(120));
        headers.forEach(req::header);
        HttpResponse<String> resp = send(req.build(), "HEAD", key);
        if (resp.statusCode() == 404) {
            return -1; // a HEAD reply has no body to tell a missing object from a missing bucket: a PUT will
        }
        if (resp.statusCode() / 100 != 2) {
            throw failure("HEAD", key, resp);
        }
        return resp.headers().firstValueAsLong("Content-Length").orElse(0);
    }

    private HttpResponse<String> send(HttpRequest req, String method, String key) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(vendor + " " + method + " " + where(key) + " interrupted", e);
        } catch (IOException e) {
            throw new IOException(vendor + " " + method + " " + where(key) + " failed: " + e, e);
        }
    }

    private IOException failure(String method, String key, HttpResponse<String> resp) {
        String code = StorageSupport.errorCode(resp.body());
        return new IOException(vendor + " " + method + " " + where(key) + " failed: HTTP " + resp.statusCode()
                + " " + StorageSupport.describeError(resp.body()) + StorageSupport.hint(code));
    }

    private String where(String key) {
        return bucket + "/" + key;
    }
}
