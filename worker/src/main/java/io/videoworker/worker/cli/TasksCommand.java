package io.videoworker.worker.cli;

import io.videoworker.worker.config.ConfigException;
import io.videoworker.worker.config.WorkerConfig;
import io.videoworker.worker.spool.Spool;
import io.videoworker.worker.spool.SpoolView;
import io.videoworker.worker.spool.TaskState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code video-worker tasks}: the task spool read straight from disk, for an administrator
 * looking into what the service did with a recording. Needs no HTTP and no key, and is safe
 * while the service runs (it only reads; task.json is replaced by atomic rename).
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the worker's tasks, or shows one, reading the spool (DATA_DIR/tasks) directly.",
                "Without a subcommand: list."},
        subcommands = {TasksCommand.ListTasks.class, TasksCommand.ShowTask.class},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:internal error", "2:bad usage, no spool, or no such task"})
public final class TasksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "the worker's DATA_DIR (default: DATA_DIR from the environment or the configuration file)")
    Path data;

    @Option(names = "--config", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "configuration file read for DATA_DIR (default ${DEFAULT-VALUE})")
    Path config = Path.of("config.txt");

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "JSON on stdout instead of text")
    boolean json;

    @Mixin
    Filters filters;

    /** {@code tasks} alone lists. */
    @Override
    public Integer call() throws IOException {
        return list(filters);
    }

    /** What {@code list} shows; on {@code tasks} itself too, so {@code tasks --state failed} works. */
    static final class Filters {
        @Option(names = "--state", split = ",", paramLabel = "STATE",
                description = "only tasks in these states (repeatable or comma-separated): receiving, queued, "
                        + "converting, publishing, done, failed, expired")
        List<String> states = new ArrayList<>();

        @Option(names = "--session", paramLabel = "SID", description = "only the tasks of this session")
        String session;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"One line per task, oldest first (the newest is last, next to the prompt): task id, session id, "
                    + "state, progress, bytes received, bytes produced or published, age, last error."})
    static final class ListTasks implements Callable<Integer> {
        @ParentCommand
        TasksCommand parent;

        @Mixin
        Filters filters;

        @Override
        public Integer call() throws IOException {
            return parent.list(filters);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Everything about one task (by task id, or the newest task of a session id), "
                    + "its folder and the end of its task.log.")
    static final class ShowTask implements Callable<Integer> {
        @ParentCommand
        TasksCommand parent;

        @Parameters(paramLabel = "ID|SESSION", description = "a task id, or a session id (its newest task)")
        String key;

        @Option(names = "--log", paramLabel = "N|all", description = "lines of task.log shown: a number, 0 for none, "
                + "or all (default ${DEFAULT-VALUE})")
        String log = "20";

        @Override
        public Integer call() throws IOException {
            return parent.show(key, log);
        }
    }

    int list(Filters f) throws IOException {
        Set<TaskState> states = EnumSet.noneOf(TaskState.class);
        for (String s : f.states) {
            if (s.isBlank()) {
                continue;
            }
            try {
                states.add(TaskState.valueOf(s.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return usage("--state " + s + " is not a state; states are receiving, queued, converting, publishing, "
                        + "done, failed, expired");
            }
        }
        String session = f.session == null ? null : f.session.strip().toLowerCase(Locale.ROOT);
        if (session != null && !Spool.validId(session)) {
            return usage("--session " + f.session + " is not a session id (a UUID)");
        }
        Optional<SpoolView> spool = openSpool();
        if (spool.isEmpty()) {
            return 2;
        }
        List<SpoolView.TaskFolder> all;
        try {
            all = spool.get().tasks();
        } catch (AccessDeniedException e) {
            return denied(e);
        }
        List<SpoolView.TaskFolder> shown = all.stream()
                .filter(t -> states.isEmpty() || states.contains(t.task().state))
                .filter(t -> session == null || session.equals(t.task().sessionId))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        long now = System.currentTimeMillis();
        if (json) {
            out.println(TaskListing.json(shown));
        } else if (shown.isEmpty()) {
            spec.commandLine().getErr().println("video-worker: no " + (states.isEmpty() && session == null ? "" : "matching ")
                    + "tasks in " + spool.get().root());
        } else {
            TaskListing.table(shown, now).forEach(out::println);
        }
        out.flush();
        return 0;
    }

    int show(String key, String logLines) throws IOException {
        int lines;
        if ("all".equalsIgnoreCase(logLines)) {
            lines = Integer.MAX_VALUE;
        } else {
            try {
                lines = Integer.parseInt(logLines);
            } catch (NumberFormatException e) {
                lines = -1;
            }
            if (lines < 0) {
                return usage("--log must be a number of lines, 0, or all; not " + logLines);
            }
        }
        Optional<SpoolView> spool = openSpool();
        if (spool.isEmpty()) {
            return 2;
        }
        Optional<SpoolView.Found> found;
        try {
            found = spool.get().find(key.strip());
        } catch (AccessDeniedException e) {
            return denied(e);
        }
        if (found.isEmpty()) {
            return usage("no task or session " + key + " in " + spool.get().root());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(TaskDetails.json(found.get()));
        } else {
            TaskDetails.text(found.get(), lines, System.currentTimeMillis()).forEach(out::println);
        }
        out.flush();
        return 0;
    }

    /** DATA_DIR/tasks from --data, else from the environment and the configuration file, as serve reads them. */
    private Optional<SpoolView> openSpool() throws IOException {
        Path tasksDir;
        try {
            WorkerConfig cfg = data != null ? WorkerConfig.load(null, Map.of("DATA_DIR", data.toString()))
                    : WorkerConfig.load(config, System.getenv());
            if (cfg.clustered()) { // task.json is a single worker's: a cluster's tasks are rows in its database
                usage("cluster mode (VIDEO_WORKER_DB_URL): the tasks are in the cluster's database; see any node's status page,"
                        + " /video-worker/status/, or its table worker_task");
                return Optional.empty();
            }
            tasksDir = cfg.tasksDir();
        } catch (ConfigException e) {
            usage("invalid configuration: " + e.getMessage());
            return Optional.empty();
        }
        try {
            return Optional.of(SpoolView.open(tasksDir));
        } catch (NoSuchFileException e) {
            usage("no task spool at " + tasksDir + ": give the worker's data folder with --data DIR, "
                    + "or run where its config.txt is (or --config PATH)");
            return Optional.empty();
        }
    }

    /** The spool is private (0700) to the service's user: an expected condition for anyone else, not a stack trace. */
    private int denied(AccessDeniedException e) {
        return usage("cannot read " + e.getFile() + ": permission denied (run as the user the service runs as)");
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("video-worker: " + message);
        return 2;
    }
}
