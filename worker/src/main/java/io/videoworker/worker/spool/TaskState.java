package io.videoworker.worker.spool;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** receiving → queued → converting → publishing → done; or failed (with a reason), or expired. */
public enum TaskState {
    RECEIVING, QUEUED, CONVERTING, PUBLISHING, DONE, FAILED, EXPIRED;

    public boolean finished() {
        return this == DONE || this == FAILED || this == EXPIRED;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
