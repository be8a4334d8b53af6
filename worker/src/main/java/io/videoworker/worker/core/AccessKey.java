package io.videoworker.worker.core;

/** This worker's access key at core: {@code id:secret}. */
public record AccessKey(String id, String secret) {
    public static AccessKey parse(String line) {
        String l = line.strip();
        int colon = l.indexOf(':');
        if (colon <= 0 || colon == l.length() - 1) {
            throw new IllegalArgumentException("an access key is id:secret");
        }
        return new AccessKey(l.substring(0, colon), l.substring(colon + 1));
    }

    @Override
    public String toString() {
        return id + ":***"; // never log the secret
    }
}
