package io.videoworker.worker.convert;

import java.io.IOException;

/**
 * The conversion stopped because its disk would have kept less free space than it must
 * ({@link OutputLimits#minFreeBytes}): the host's problem, not the recording's; worth another
 * run once there is room. The partial output is gone.
 */
public final class DiskReserveException extends IOException {
    private final long writtenBytes;

    /** @param writtenBytes what the conversion had written when it stopped (all of it deleted) */
    public DiskReserveException(String message, long writtenBytes) {
        super(message);
        this.writtenBytes = writtenBytes;
    }

    /** What the conversion had written when it stopped: the service tells by it whose video filled the disk. */
    public long writtenBytes() {
        return writtenBytes;
    }
}
