package io.videoworker.worker.service;

import io.videoworker.worker.LionClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * A part upload, with Lion's exact Content-Length, whose body stops after the first bytes until
 * the test lets the rest follow or makes the sender give up: an upload in flight at a chosen moment.
 */
final class HeldBackUpload {
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean abandoned;
    /** The worker's answer; fails when the connection breaks. */
    final CompletableFuture<LionClient.Reply> reply;

    HeldBackUpload(LionClient lion, String taskId, int index, String name, byte[] body, int first) {
        InputStream rest = new ByteArrayInputStream(body, first, body.length - first);
        InputStream held = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (abandoned) {
                    throw new IOException("the sender went away");
                }
                return rest.read(b, off, len);
            }
        };
        InputStream all = new SequenceInputStream(new ByteArrayInputStream(body, 0, first), held);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> all), body.length);
        reply = CompletableFuture.supplyAsync(() -> {
            try {
                return lion.upload(taskId, index, name, publisher);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** The rest of the body follows. */
    void release() {
        gate.countDown();
    }

    /** The sender gives up without sending the rest. */
    void abandon() {
        abandoned = true;
        gate.countDown();
    }
}
