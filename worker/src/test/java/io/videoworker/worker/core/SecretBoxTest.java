package io.videoworker.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir
    Path dir;

    @Test
    void workersSharingTheKeyOpenEachOthersSecretsAndOthersCannot() throws Exception {
        SecretBox a = SecretBox.of("0123456789abcdef0123456789abcdef", dir);
        SecretBox b = SecretBox.of("0123456789abcdef0123456789abcdef", dir.resolve("other"));
        String sealed = a.seal("{\"SECRET_KEY\":\"hunter2\"}");
        assertThat(sealed).startsWith("v1:").doesNotContain("hunter2");
        assertThat(b.open(sealed)).isEqualTo("{\"SECRET_KEY\":\"hunter2\"}");
        assertThat(a.seal("x")).isNotEqualTo(a.seal("x")); // fresh nonce every time
        SecretBox c = SecretBox.of("fedcba9876543210fedcba9876543210", dir);
        assertThatThrownBy(() -> c.open(sealed)).isInstanceOf(GeneralSecurityException.class);
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThatThrownBy(() -> a.open(tampered)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void withoutAConfiguredKeyANodeKeyIsGeneratedPrivatelyAndKept() throws Exception {
        SecretBox first = SecretBox.of(null, dir);
        Path file = dir.resolve(".secret_key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String sealed = first.seal("s");
        assertThat(SecretBox.of(null, dir).open(sealed)).isEqualTo("s");
    }
}
