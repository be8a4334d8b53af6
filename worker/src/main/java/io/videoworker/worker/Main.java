package io.videoworker.worker;

import io.videoworker.worker.cli.ConvertCommand;
import io.videoworker.worker.cli.ServeCommand;
import io.videoworker.worker.cli.TasksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code video-worker}: the converter and (next) the JumpServer service. */
@Command(name = "video-worker", mixinStandardHelpOptions = true, versionProvider = Main.VersionText.class,
        description = "Turns Apache Guacamole session recordings into H.264 MP4.",
        subcommands = {ConvertCommand.class, ServeCommand.class, TasksCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 success, 2 bad input or usage, 1 internal error. */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, writing to the given streams (tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.getSubcommands().get("serve").getCommandSpec().usageMessage().footer(ServeCommand.keysHelp());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("video-worker: internal error: " + e);
            e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    /** {@code --version}: the jar's version. */
    static final class VersionText implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"video-worker " + Version.current()};
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }
}
