package io.videoworker.worker.spool;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording handed to the worker, as persisted in {@code task.json}. The fields are public for
 * Jackson and for reading; only the task store and its drafts write them
 * ({@code io.videoworker.worker.task}: ArchUnit checks it), and a task handed out by the store is
 * a snapshot that never changes again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Task {
    /** Lion ≥ 4.10.13 sends parts (G3); older Lion one gzipped recording (G2). */
    public enum Kind { PARTS, SINGLE }

    public String id;
    public String sessionId;
    public Kind kind;
    public TaskState state;
    /** G3: the session fields Lion sent (copied into replay.json). */
    public ObjectNode meta;
    /** G3: Lion's conversion config (MaxFrame, Width, Height, Bitrate). */
    public ObjectNode config;
    public List<PartFile> files = new ArrayList<>();
    /** G2 form fields. */
    public String componentType;
    public String fileType;
    public int width;
    public int height;
    public int bitrate;
    public int maxFrame;
    /** UTC date of session start, YYYY-MM-DD: the storage key prefix. */
    public String sessionDate;

    public int progress;
    public String error;
    /** replay_convert_failed / replay_upload_failed, as core is told. */
    public String errorReason;
    public List<String> published = new ArrayList<>();
    public long publishedBytes;
    /** Conversion runs that counted: a run stopped by a full disk does not. */
    public int attempts;
    /** Why the last conversion run could not finish, when that was not the recording's fault (a full disk). */
    public String lastConvertError;
    /** Times the task waited for disk space (or for the spool to work again): the backoff exponent. */
    public int diskWaits;
    /** Publishing: objects are in storage (only the session update may remain). */
    public boolean uploadDone;
    /** Unexpected errors (bugs) while working on the task: retried, then the task fails visibly. */
    public int internalErrors;
    public int publishAttempts;
    public long firstPublishFailureAt;
    public long nextAttemptAt;
    public String lastPublishError;
    /** The storage config last used, sealed with the worker's secret key (never in clear). */
    public String storageConfigSealed;
    /** Conversion runs stopped because the video reached the free space the spool's disk must keep. */
    public int outOfRoomRuns;
    /** The original recording is what gets published (a failed or abandoned conversion, or an administrator's choice). */
    public boolean originals;
    /**
     * A conversion run started and has recorded no outcome yet. Found so at the start of a turn, the
     * run was cut off (a crash, or a cluster node lost): the next one takes it up, and core, told of
     * its start once, is not told again.
     */
    public boolean runOpen;
    /** When the current or last conversion run started (for its duration and an ETA). */
    public long convertStartedAt;
    /** The converted video: bytes written and length (0 until converted). */
    public long outputBytes;
    public long videoMs;
    /** The kind of storage the latest publish attempt used (local, server, s3, oss, obs, azure, sftp…). */
    public String storage;
    /** Every change of state, oldest first (at most {@link #MAX_HISTORY}: the first and the latest). */
    public List<StateChange> history = new ArrayList<>();

    public static final int MAX_HISTORY = 100;

    /** One change of state: when, to which state, and why when there is more to say. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StateChange(long at, TaskState state, String why) {
    }

    public long createdAt;
    public long updatedAt;
    public long lastUploadAt;
    public long queuedAt;
    public long finishedAt;

    /** In memory only: a finished task without what only work needed (task.json keeps it all). */
    @JsonIgnore
    public transient boolean slim;

    /**
     * Drops what a finished task no longer needs in memory (meta, config, the sealed storage
     * config): the worker keeps finished tasks for the clean period, and their status needs none
     * of it. A slim task is never saved again ({@link Spool#save} refuses it).
     */
    public void slim() {
        meta = null;
        config = null;
        storageConfigSealed = null;
        slim = true;
    }

    /** A deep copy, as task.json would read back (and still slim if this one is). */
    public Task copy() {
        Task c;
        try {
            c = COPY.readValue(COPY.writeValueAsBytes(this), Task.class);
        } catch (java.io.IOException e) { // in memory, of our own class: cannot happen
            throw new java.io.UncheckedIOException(e);
        }
        c.slim = slim;
        return c;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper COPY = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Whether the originals, not a converted video, are to be published (tasks saved before the flag existed say it by their reason). */
    public boolean publishesOriginals() {
        return originals || "replay_convert_failed".equals(errorReason);
    }

    public boolean allReceived() {
        return !files.isEmpty() && files.stream().allMatch(f -> f.received);
    }
}
