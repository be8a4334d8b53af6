package io.videoworker.worker.convert;

import java.io.IOException;

/**
 * The conversion stopped because its disk would have kept less free space than it must
 * ({@link OutputLimits#minFreeBytes}): the host's problem, not the recording's; worth another
 * run once there is room. The partial output is gone.
 */
public final class DiskReserveException extends IOException {
    public DiskReserveException(String message) {
        super(message);
    }
}
