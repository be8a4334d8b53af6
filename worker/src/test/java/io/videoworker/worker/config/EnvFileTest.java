package io.videoworker.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.txt read as Docker Compose reads an env_file. */
class EnvFileTest {
    @TempDir
    Path dir;

    private static Map<String, String> parse(String text) throws ConfigException {
        return EnvFile.parse("config.txt", text, Map.of("HOME", "/root", "EMPTY", "")::get);
    }

    @Test
    void commentsBlankLinesExportAndInlineComments() throws Exception {
        Map<String, String> v = parse("""
                # a comment
                   # an indented comment

                export NAME=worker-01
                CORE_HOST=http://core:8080   # core's address
                HASH=abc#def
                TABS=value\t# after a tab
                EMPTY_WITH_NOTE=    # nothing here
                SPACED = padded value   \s
                """);
        assertThat(v).containsEntry("NAME", "worker-01")
                .containsEntry("CORE_HOST", "http://core:8080")
                .containsEntry("HASH", "abc#def") // no space before '#': part of the value
                .containsEntry("TABS", "value")
                .containsEntry("EMPTY_WITH_NOTE", "")
                .containsEntry("SPACED", "padded value");
    }

    @Test
    void quotesAreLiteralOrEscapedAndMaySpanLines() throws Exception {
        Map<String, String> v = parse("""
                SINGLE='a # not a comment $HOME \\n'   # a comment
                DOUBLE="tab\\there \\"quoted\\" \\\\ \\$HOME"
                MULTI="line one
                line two"
                AFTER=x
                """);
        assertThat(v).containsEntry("SINGLE", "a # not a comment $HOME \\n")
                .containsEntry("DOUBLE", "tab\there \"quoted\" \\ $HOME")
                .containsEntry("MULTI", "line one\nline two")
                .containsEntry("AFTER", "x");
    }

    @Test
    void variablesExpandFromTheFileThenTheEnvironment() throws Exception {
        Map<String, String> v = parse("""
                HOST=core
                CORE_HOST=http://${HOST}:8080
                DATA=$HOME/data
                DEFAULTED=${MISSING:-fallback}
                EMPTY_DEFAULTED=${EMPTY:-used}
                DASH=${EMPTY-kept}
                DOLLARS=pa$$word
                """);
        assertThat(v).containsEntry("CORE_HOST", "http://core:8080").containsEntry("DATA", "/root/data")
                .containsEntry("DEFAULTED", "fallback").containsEntry("EMPTY_DEFAULTED", "used")
                .containsEntry("DASH", "").containsEntry("DOLLARS", "pa$word");
    }

    @Test
    void aKeyAloneTakesTheEnvironmentsValue() throws Exception {
        assertThat(parse("HOME\nUNSET\n")).containsEntry("HOME", "/root").doesNotContainKey("UNSET");
    }

    @Test
    void windowsLineEndsAndByteOrderMark() throws Exception {
        assertThat(parse("\uFEFFNAME=a\r\nLOG_LEVEL=INFO # x\r\n")).containsEntry("NAME", "a").containsEntry("LOG_LEVEL", "INFO");
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> parse("NAME=x\nthis line is wrong\n")).hasMessage(
                "config.txt line 2: expected KEY=VALUE, got 'this line is wrong'");
        assertThatThrownBy(() -> parse("A=1\nB=\"never closed\nC=3\n")).hasMessageContaining("line 2")
                .hasMessageContaining("quote is never closed");
        assertThatThrownBy(() -> parse("=value\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> parse("X=${OPEN\n")).hasMessageContaining("line 1").hasMessageContaining("'${'");
    }

    /** The vendor guide's config.txt pasted as written: notes after the values, blank values. */
    @Test
    void theGuidesExampleIsAcceptedCommentsAndAll() throws Exception {
        Path f = dir.resolve("config.txt");
        Files.writeString(f, """
                # 版本号 (version of the image)
                VERSION=v4.10.13

                # Core 的地址 (core's address)
                CORE_HOST=http://192.168.100.10   # JumpServer 访问地址
                BOOTSTRAP_TOKEN=ZmE2ZjQ0ZTctYjQxZi00ZjYyLThlYmMtNTM3ZGVkNjc4OTZi  # 和 core 的 config.txt 一致
                NAME=video-worker-01   # 不能重复 (must be unique)
                BIND_HOST=0.0.0.0
                HTTPD_PORT=9000
                LOG_LEVEL=ERROR        # DEBUG, INFO, WARN, ERROR
                VIDEO_WORKER_COUNT=4   # 并发数 (conversions at once)
                VIDEO_WORKER_SECRET_KEY=Kx8Qp2Lr6Tz1Vb4Nw7Hc3Jf9Dm5Gs0Ya   # 多个 worker 需一致
                VIDEO_WORKER_CLEAN_PERIOD=7   # 天 (days)
                IGNORE_VERIFY_CERTS=true
                """);
        WorkerConfig c = WorkerConfig.load(f, Map.of());
        assertThat(c.coreHost()).isEqualTo("http://192.168.100.10");
        assertThat(c.bootstrapToken()).isEqualTo("ZmE2ZjQ0ZTctYjQxZi00ZjYyLThlYmMtNTM3ZGVkNjc4OTZi");
        assertThat(c.name()).isEqualTo("video-worker-01");
        assertThat(c.logLevel()).isEqualTo("ERROR");
        assertThat(c.workerCount()).isEqualTo(4);
        assertThat(c.secretKey()).hasSize(32);
        assertThat(c.cleanPeriodDays()).isEqualTo(7);
        assertThat(c.ignoreVerifyCerts()).isTrue();
    }

    /** The README's configuration table names every key. */
    @Test
    void theReadmeDocumentsEveryKey() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"));
        for (Setting s : Setting.values()) {
            assertThat(readme).as("README's table has " + s).contains("| `" + s.name() + "`");
        }
    }

    /** config.txt.example, as shipped, is valid and gives the documented defaults. */
    @Test
    void theShippedExampleListsEveryKeyWithItsDefault() throws Exception {
        Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("config.txt.example");
        Map<String, String> v = EnvFile.parse(example.toString(), Files.readString(example), k -> null);
        for (Setting s : Setting.values()) {
            assertThat(v).as("config.txt.example sets " + s).containsKey(s.name());
            if (!s.defaultText().isEmpty() && !s.defaultText().contains(" ") && !s.defaultText().contains("<")) {
                assertThat(v.get(s.name())).as(s + "'s default").isEqualTo(s.defaultText());
            }
        }
        WorkerConfig c = WorkerConfig.load(example, Map.of());
        assertThat(c.standalone()).isTrue();
        assertThat(c.port()).isEqualTo(9000);
    }
}
