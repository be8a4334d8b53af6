package io.videoworker.worker.cli;

import java.io.IOException;
import java.io.InputStream;

/**
 * Ends this process when its stdin reaches end of file. The service runs each conversion with a
 * pipe on stdin that it never writes to; the kernel closes that pipe when the service dies, even
 * by SIGKILL, so a conversion never runs on as an orphan writing into a spool that a restarted
 * service is already working on.
 */
final class ParentWatch {
    /** Exit code when the parent went away; nobody is left to read it. */
    static final int PARENT_GONE = 4;

    private ParentWatch() {
    }

    static void start() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // the service never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken stdin means the same: the parent is gone
            }
            Runtime.getRuntime().halt(PARENT_GONE); // no hooks: half-written output stays under its temporary name
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
