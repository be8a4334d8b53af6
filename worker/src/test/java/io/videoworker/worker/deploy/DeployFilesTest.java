package io.videoworker.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoworker.worker.api.ApiServer;
import io.videoworker.worker.config.WorkerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deployment files agree with each other and with the service: the Dockerfile and
 * deploy/image/build.sh (the image built without a daemon) install one package list, run one setup
 * script and one entrypoint; the health check, port and volume are the ones the service and the
 * vendor's compose file use. Plain text checks; deploy/image/test.sh runs the image itself.
 */
class DeployFilesTest {
    static final Path REPO = repoRoot();
    static final String HEALTH_URL_PATH = "/video-worker/health/";
    static final String JAR = "/opt/video-worker/video-worker.jar";
    static final String ENTRYPOINT = "/opt/video-worker/entrypoint.sh";

    @Test
    void dockerfileRuntimeStageInstallsThePackageListAndNothingElse() throws IOException {
        String runtime = runtimeStage();
        assertThat(runtime).startsWith("FROM debian:bookworm-slim");
        assertThat(runtime).contains("COPY deploy/image/packages.txt deploy/image/setup.sh /tmp/image/");
        List<String> installs = lines(runtime).stream().filter(l -> l.contains("apt-get install")).toList();
        assertThat(installs).as("apt-get install lines in the runtime stage").hasSize(1);
        assertThat(installs.get(0)).contains("/tmp/image/packages.txt").contains("xargs apt-get install -y --no-install-recommends");
        assertThat(runtime).contains("sh /tmp/image/setup.sh");
        // the build stage is the documented one
        String build = read("Dockerfile").substring(0, read("Dockerfile").indexOf(runtime));
        assertThat(build).contains("debian:bookworm-slim").contains("openjdk-17-jdk-headless")
                .contains("./mvnw -B -ntp -DskipTests package");
    }

    @Test
    void packageListHasWhatTheImageNeeds() throws IOException {
        List<String> packages = packages();
        assertThat(packages).allMatch(p -> p.matches("[a-z0-9][a-z0-9+.-]+"), "Debian package names");
        assertThat(packages).doesNotHaveDuplicates()
                // the JVM, TLS, the health check's curl, PID 1, the natives' system libraries
                .contains("openjdk-17-jre-headless", "ca-certificates", "curl", "tini", "libudev1", "libva-drm2");
    }

    @Test
    void daemonlessBuildUsesTheSameListSetupEntrypointAndConfig() throws IOException {
        String sh = read("deploy/image/build.sh");
        assertThat(sh).contains("\"$here/packages.txt\"").contains("--include=\"$packages\"")
                .contains("copy-in $here/setup.sh /tmp").contains("sh /tmp/setup.sh")
                .contains("copy-in $here/check /usr/local/bin")
                .contains("\"$here/entrypoint.sh\" \"$app" + ENTRYPOINT + "\"")
                .contains("\"$jar\" \"$app" + JAR + "\"")
                .contains("dockerfile=\"$repo/Dockerfile\"");
        for (String directive : List.of("ENTRYPOINT", "CMD", "WORKDIR", "HEALTHCHECK", "ENV", "EXPOSE", "VOLUME")) {
            assertThat(sh).as("build.sh reads %s from the Dockerfile", directive).contains(directive);
        }
        assertThat(read("deploy/image/test.sh")).contains("samples/vnc-desktop-30s/vnc-desktop-30s.replay.gz")
                .contains(".config.Healthcheck.Test").contains("image: $passed passed, $failed failed");
    }

    @Test
    void dockerfileRunsTheEntrypointAndTheServiceWithItsPortVolumeAndHealthCheck() throws IOException {
        String runtime = runtimeStage();
        assertThat(runtime).contains("COPY --from=build /src/worker/target/video-worker.jar " + JAR)
                .contains("COPY deploy/image/entrypoint.sh " + ENTRYPOINT)
                // JumpServer's newer installers probe with `check URL` (HTTP 200 only)
                .contains("COPY deploy/image/check /usr/local/bin/check");
        assertThat(read("deploy/image/check")).startsWith("#!/bin/sh\n").contains("[ \"$code\" = 200 ]");
        assertThat(directive(runtime, "ENTRYPOINT")).isEqualTo("[\"/usr/bin/tini\", \"--\", \"" + ENTRYPOINT + "\"]");
        assertThat(directive(runtime, "CMD")).isEqualTo("[\"serve\"]");
        assertThat(directive(runtime, "EXPOSE")).isEqualTo(String.valueOf(defaultPort()));
        assertThat(directive(runtime, "VOLUME")).isEqualTo("/opt/video/data");
        assertThat(directive(runtime, "ENV")).isEqualTo("DATA_DIR=/opt/video/data");
        assertThat(directive(runtime, "HEALTHCHECK"))
                .endsWith(" CMD curl -fsL http://localhost:${HTTPD_PORT:-" + defaultPort() + "}" + HEALTH_URL_PATH + " || exit 1");
    }

    @Test
    void healthPathIsTheServicesOpenEndpoint() {
        String path = HEALTH_URL_PATH.substring(0, HEALTH_URL_PATH.length() - 1);
        assertThat(ApiServer.OPEN_PATHS).contains(path);
    }

    @Test
    void entrypointPicksTheDataFolderDropsRootAndExecsTheJar() throws IOException {
        String sh = read("deploy/image/entrypoint.sh");
        assertThat(sh).startsWith("#!/bin/sh\n");
        assertThat(sh).contains("JAR=" + JAR).contains("IMAGE_DATA_DIR=/opt/video/data")
                .contains("JUMPSERVER_DATA_DIR=/opt/video-worker/data").contains("/proc/self/mountinfo")
                .contains("setpriv --reuid=").contains("exec $as_video java $JAVA_OPTS -jar \"$JAR\" \"$@\"")
                .contains("exec java $JAVA_OPTS -jar \"$JAR\" \"$@\"");
        // POSIX sh: no bash-only syntax
        assertThat(lines(sh)).noneMatch(l -> !l.trim().startsWith("#")
                && (l.contains("[[") || l.contains("function ") || l.contains("${BASH") || l.contains("<(")));
        String setup = read("deploy/image/setup.sh");
        assertThat(setup).contains("VIDEO_UID=10001").contains("useradd --uid \"$VIDEO_UID\"").contains(" video\n");
    }

    @Test
    void composeFileMirrorsTheVendors() throws IOException {
        String yml = read("docker-compose.yml");
        assertThat(yml).containsPattern("(?m)^services:\\n  video:$")
                .containsPattern("(?m)^    env_file: config\\.txt$")
                .containsPattern("(?m)^    volumes:\\n      - \\./data:/opt/video/data$")
                .containsPattern("(?m)^    restart: always$")
                .containsPattern("(?m)^      - \"" + defaultPort() + ":" + defaultPort() + "\"$")
                .containsPattern("(?m)^      test: \\[\"CMD\", \"curl\", \"-fsL\", \"http://localhost:" + defaultPort()
                        + Pattern.quote(HEALTH_URL_PATH) + "\"\\]$");
        for (String key : List.of("interval", "timeout", "retries", "start_period")) {
            assertThat(yml).containsPattern("(?m)^      " + key + ": \\S+$");
        }
        assertThat(read(".dockerignore")).contains(".git\n").contains("target/\n").contains("data/\n");
    }

    private static int defaultPort() {
        try {
            return WorkerConfig.load(null, Map.of()).port();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> packages() throws IOException {
        return lines(read("deploy/image/packages.txt")).stream()
                .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).toList();
    }

    /** The Dockerfile from its last FROM on. */
    private static String runtimeStage() throws IOException {
        String d = read("Dockerfile");
        Matcher m = Pattern.compile("(?m)^FROM ").matcher(d);
        int last = -1;
        while (m.find()) {
            last = m.start();
        }
        assertThat(last).as("FROM lines in the Dockerfile").isPositive();
        return d.substring(last);
    }

    /** The argument of the stage's only {@code name} line. */
    private static String directive(String stage, String name) {
        List<String> found = lines(stage).stream().filter(l -> l.startsWith(name + " ")).toList();
        assertThat(found).as("%s lines", name).hasSize(1);
        return found.get(0).substring(name.length() + 1).trim();
    }

    private static List<String> lines(String s) {
        return Arrays.asList(s.split("\n"));
    }

    private static String read(String relative) throws IOException {
        Path p = REPO.resolve(relative);
        assertThat(p).as("repository file %s", relative).isRegularFile();
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
