package io.videoworker.worker.cli;

import io.javalin.util.JavalinBindException;
import io.videoworker.worker.Service;
import io.videoworker.worker.config.ConfigException;
import io.videoworker.worker.config.Setting;
import io.videoworker.worker.config.WorkerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code video-worker serve}: the JumpServer Video-Worker service (stand-alone without CORE_HOST). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the worker service: Lion/Razor upload recordings, the worker converts and publishes them.",
                "Configuration comes from the environment and from a config.txt read as Docker Compose reads an",
                "env_file (comments, quotes, export, inline # comments); the environment wins."})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "PATH", description = "configuration file (default ${DEFAULT-VALUE})")
    Path config = Path.of("config.txt");

    /** The configuration keys for --help, from {@link Setting}. */
    public static String[] keysHelp() {
        List<String> lines = new ArrayList<>(List.of("", "Configuration keys (default):"));
        for (Setting s : Setting.values()) {
            lines.add(String.format("  %-33s %s%s", s.name(), s.meaning(), s.defaultText().isEmpty() ? "" : " (" + s.defaultText() + ")"));
        }
        return lines.toArray(String[]::new);
    }

    @Override
    public Integer call() throws Exception {
        WorkerConfig cfg;
        try {
            cfg = WorkerConfig.load(config, System.getenv());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("video-worker: invalid configuration: " + e.getMessage());
            return 2;
        }
        ServiceLogging.configure(cfg.logLevel(), cfg.logFormat());
        Service service = new Service(cfg);
        try {
            service.start();
        } catch (IOException | JavalinBindException e) { // an unwritable data dir, a port in use: the operator's to fix
            LOG.error("cannot start: {}", e.getMessage() == null ? e.toString() : e.getMessage());
            service.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping (SIGTERM or shutdown): no new uploads; unfinished tasks resume at the next start");
            service.close();
            LOG.info("stopped");
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
