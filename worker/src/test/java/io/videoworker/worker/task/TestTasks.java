package io.videoworker.worker.task;

import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Tasks made the way Admission makes them, straight on a store: for tests of the lifecycle without HTTP. */
public final class TestTasks {
    private TestTasks() {
    }

    /** A listed G3 task of {@code parts} parts for the session, nothing received (checksums "ab"). */
    public static Task receiving(TaskStore store, String sessionId, int parts) throws IOException {
        TaskDraft d = store.draft(sessionId, Task.Kind.PARTS);
        List<PartFile> files = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            PartFile f = new PartFile();
            f.name = d.task().sessionId + "." + i + ".part.gz";
            f.checksum = "ab";
            files.add(f);
        }
        d.describeParts(Spool.JSON.createObjectNode().put("user", "u"), Spool.JSON.createObjectNode(), files, "2026-12-06",
                0, 0, 0, 0);
        return store.add(d);
    }

    /** Part {@code index} arrives: its bytes in {@code in/}, then recorded; returns the task as it is then. */
    public static Task receive(TaskStore store, Spool spool, Task t, int index) throws IOException {
        Files.writeString(spool.inFile(t.id, t.files.get(index).name), "recording");
        return store.change(t.id, d -> d.partReceived(index, 9, "ab"));
    }
}
