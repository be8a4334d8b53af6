package io.videoworker.worker.task;

import io.videoworker.worker.spool.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A store's observers, told of every change it kept; one observer's bug never fails a change already kept. */
final class TaskObservers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaskObservers.class);
    private final List<TaskStore.Observer> observers = new CopyOnWriteArrayList<>();

    void add(TaskStore.Observer observer) {
        observers.add(observer);
    }

    void tell(Task before, Task after) {
        for (TaskStore.Observer o : observers) {
            try {
                o.changed(before, after);
            } catch (RuntimeException e) {
                LOG.warn("task {}: an observer failed: {}", (after != null ? after : before).id, e.toString());
            }
        }
    }
}
