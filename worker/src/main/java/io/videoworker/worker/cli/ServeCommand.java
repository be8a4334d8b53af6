package io.videoworker.worker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.videoworker.worker.Service;
import io.videoworker.worker.config.ConfigException;
import io.videoworker.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code video-worker serve}: the JumpServer Video-Worker service (stand-alone without CORE_HOST). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the worker service: Lion/Razor upload recordings, the worker converts and publishes them.",
                "Configuration comes from the environment and from a config.txt (KEY=VALUE); the environment wins."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "PATH", description = "configuration file (default ${DEFAULT-VALUE})")
    Path config = Path.of("config.txt");

    @Override
    public Integer call() throws Exception {
        WorkerConfig cfg;
        try {
            cfg = WorkerConfig.load(config, System.getenv());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("video-worker: invalid configuration: " + e.getMessage());
            return 2;
        }
        LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        logs.getLogger("io.videoworker").setLevel(Level.toLevel(cfg.logLevel(), Level.INFO));
        Service service = new Service(cfg).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stop.countDown();
        }, "shutdown"));
        stop.await();
        return 0;
    }
}
