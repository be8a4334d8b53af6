package io.videoworker.worker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadBuffersTest {
    @Test
    void smallPartsTakeLittleAndBigOnesShareTheBudget() {
        UploadBuffers buffers = new UploadBuffers(5L << 19); // two big uploads' worth, and a bit
        assertThat(buffers.reserve(30_000)).as("a 30 KB part").isEqualTo(30_000);
        assertThat(buffers.reserve(100)).as("never below the smallest").isEqualTo(UploadBuffers.SMALLEST);
        int big1 = buffers.reserve(300L << 20);
        int big2 = buffers.reserve(-1);
        int big3 = buffers.reserve(300L << 20);
        assertThat(big1).isEqualTo(UploadBuffers.LARGEST);
        assertThat(big2).as("unknown length").isEqualTo(UploadBuffers.LARGEST);
        assertThat(big3).as("over the budget: small chunks, not more memory").isEqualTo(UploadBuffers.FALLBACK);
        buffers.release(big1);
        assertThat(buffers.reserve(300L << 20)).as("budget freed").isEqualTo(UploadBuffers.LARGEST);
        buffers.release(UploadBuffers.LARGEST);
        buffers.release(big2);
        buffers.release(big3);
        buffers.release(UploadBuffers.SMALLEST);
        buffers.release(30_000);
        assertThat(buffers.held()).isZero();
    }
}
