package io.videoworker.worker.spool;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** receiving → queued → converting → publishing → done; or failed (with a reason), or expired. */
public enum TaskState {
    RECEIVING, QUEUED, CONVERTING, PUBLISHING, DONE, FAILED, EXPIRED;

    public boolean finished() {
        return this == DONE || this == FAILED || this == EXPIRED;
    }

    /** Work is left to do: a turn converts or publishes it. */
    public boolean working() {
        return this == QUEUED || this == CONVERTING || this == PUBLISHING;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
