package io.videoworker.worker.spool;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One input file of a task as the sender announced it, and whether it has arrived. */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class PartFile {
    public String name;
    public long start;
    public long end;
    public long duration;
    public long size;
    public String checksum;
    public boolean received;
}
