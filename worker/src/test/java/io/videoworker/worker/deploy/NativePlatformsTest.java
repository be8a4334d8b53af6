package io.videoworker.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worker's class path (and so its shaded jar, which is built from it) carries the FFmpeg and
 * JavaCPP natives of both image platforms, linux-x86_64 and linux-arm64 (root pom:
 * {@code javacpp.platform} and {@code javacpp.platform.extra}), each built for the right machine,
 * with libx264 inside libavcodec. This is the cheap CI check for the arm64 image: the image build
 * itself under qemu is too slow for CI (docs/deployment.md).
 */
class NativePlatformsTest {
    /** ELF e_machine values (elf.h). */
    static final int EM_X86_64 = 62;
    static final int EM_AARCH64 = 183;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"linux-x86_64, 62", "linux-arm64, 183"})
    void ffmpegNativesAreThereForThePlatform(String platform, int machine) throws IOException {
        String dir = "org/bytedeco/ffmpeg/" + platform + "-gpl/";
        // the JNI glue has a fixed name; the library beside it carries FFmpeg's major version
        byte[] jni = resource(dir + "libjniavcodec.so");
        assertElf64SharedObject(jni, machine, dir + "libjniavcodec.so");

        List<String> avcodec = entriesOf(dir + "libjniavcodec.so", dir + "libavcodec.so.");
        assertThat(avcodec).as("libavcodec.so.* in %s", dir).hasSize(1);
        byte[] codec = resource(avcodec.get(0));
        assertElf64SharedObject(codec, machine, avcodec.get(0));
        // libx264 is linked into the GPL libavcodec: its version banner and the encoder's name are there
        assertThat(indexOf(codec, "x264 - core")).as("libx264 in %s", avcodec.get(0)).isNotNegative();
        assertThat(indexOf(codec, "libx264")).as("libx264 encoder in %s", avcodec.get(0)).isNotNegative();

        for (String lib : List.of("libavformat.so.", "libavutil.so.", "libswscale.so.", "libswresample.so.")) {
            List<String> found = entriesOf(dir + "libjniavcodec.so", dir + lib);
            assertThat(found).as("%s* in %s", lib, dir).hasSize(1);
            assertElf64SharedObject(header(found.get(0)), machine, found.get(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"linux-x86_64, 62", "linux-arm64, 183"})
    void javacppNativesAreThereForThePlatform(String platform, int machine) throws IOException {
        String name = "org/bytedeco/javacpp/" + platform + "/libjnijavacpp.so";
        assertElf64SharedObject(resource(name), machine, name);
    }

    private static void assertElf64SharedObject(byte[] b, int machine, String what) {
        assertThat(b.length).as("%s size", what).isGreaterThanOrEqualTo(64);
        assertThat(new byte[] {b[0], b[1], b[2], b[3]}).as("%s ELF magic", what)
                .containsExactly(0x7f, 'E', 'L', 'F');
        assertThat(b[4]).as("%s EI_CLASS (2 = 64-bit)", what).isEqualTo((byte) 2);
        assertThat(b[5]).as("%s EI_DATA (1 = little-endian)", what).isEqualTo((byte) 1);
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(le.getShort(16) & 0xffff).as("%s e_type (3 = ET_DYN)", what).isEqualTo(3);
        assertThat(le.getShort(18) & 0xffff).as("%s e_machine", what).isEqualTo(machine);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NativePlatformsTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("class path resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] header(String name) throws IOException {
        try (InputStream in = NativePlatformsTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("class path resource %s", name).isNotNull();
            return in.readNBytes(64);
        }
    }

    /** Entries under {@code prefix} in the jar (or folder) that holds {@code known}. */
    private static List<String> entriesOf(String known, String prefix) throws IOException {
        URL url = NativePlatformsTest.class.getClassLoader().getResource(known);
        assertThat(url).as("class path resource %s", known).isNotNull();
        List<String> names = new ArrayList<>();
        URLConnection c = url.openConnection();
        if (c instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            try (JarFile file = jar.getJarFile()) {
                Collections.list(file.entries()).forEach(e -> {
                    if (e.getName().startsWith(prefix) && !e.isDirectory()) {
                        names.add(e.getName());
                    }
                });
            }
        } else {
            java.io.File folder = new java.io.File(url.getPath()).getParentFile();
            String dir = prefix.substring(0, prefix.lastIndexOf('/') + 1);
            for (String n : folder.list()) {
                if ((dir + n).startsWith(prefix)) {
                    names.add(dir + n);
                }
            }
        }
        return names;
    }

    private static int indexOf(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            if (hay[i] != n[0]) {
                continue;
            }
            for (int j = 1; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
