package io.videoworker.worker.publish;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Huawei OBS ({@code TYPE: obs}): PUT/DELETE Object on {@code scheme://BUCKET.ENDPOINT/key}, signed
 * with OBS's header signature ({@code Authorization: OBS AccessKeyID:Signature}, HMAC-SHA1 over
 * {@code VERB\nContent-MD5\nContent-Type\nDate\n} + {@code x-obs-} headers + {@code /bucket/object}).
 */
public final class ObsStorage extends HttpObjectStorage {
    private final String accessKeyId;
    private final String secretAccessKey;

    /** @param endpoint e.g. {@code https://obs.cn-north-4.myhuaweicloud.com}; the bucket is prefixed to its host */
    public ObsStorage(URI endpoint, String bucket, String accessKeyId, String secretAccessKey) {
        this(endpoint, bucket, accessKeyId, secretAccessKey, null, null);
    }

    /** For tests: a specific HTTP client (e.g. through a proxy) and clock. */
    ObsStorage(URI endpoint, String bucket, String accessKeyId, String secretAccessKey, HttpClient http, Clock clock) {
        super("obs", Objects.requireNonNull(endpoint), Objects.requireNonNull(bucket), http, clock);
        this.accessKeyId = Objects.requireNonNull(accessKeyId);
        this.secretAccessKey = Objects.requireNonNull(secretAccessKey);
    }

    /** From TERMINAL_REPLAY_STORAGE: {@code BUCKET, ACCESS_KEY, SECRET_KEY, ENDPOINT} (no scheme means https). */
    public static ObsStorage fromConfig(JsonNode cfg) {
        StorageSupport.requireObject(cfg);
        String bucket = StorageSupport.required(cfg, "BUCKET");
        String ak = StorageSupport.required(cfg, "ACCESS_KEY");
        String sk = StorageSupport.required(cfg, "SECRET_KEY");
        URI endpoint = StorageSupport.endpoint(StorageSupport.required(cfg, "ENDPOINT"), "ENDPOINT", "https");
        return new ObsStorage(endpoint, bucket, ak, sk);
    }

    @Override
    void sign(String method, String key, Map<String, String> headers) {
        String date = StorageSupport.httpDate(clock.instant());
        headers.put("Date", date);
        // the object name in CanonicalizedResource is URL-encoded, '/' kept
        String resource = "/" + bucket + "/" + StorageSupport.percentEncode(key, true);
        String sts = HmacSha1Signer.stringToSign(method, headers.get("Content-MD5"), headers.get("Content-Type"),
                date, headers, "x-obs-", resource);
        headers.put("Authorization", "OBS " + accessKeyId + ":" + HmacSha1Signer.signature(secretAccessKey, sts));
    }

    @Override
    public String type() {
        return "obs";
    }

    @Override
    public String describe() {
        return "obs bucket " + bucket + " at " + endpoint;
    }
}
