package io.videoworker.worker.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets the worker writes into its spool (storage credentials). The key is
 * VIDEO_WORKER_SECRET_KEY (the same 32 characters on every worker, so any of them can resume
 * another's task) or, when unset, a generated {@code keys/.secret_key} good for this node only.
 * Sealed text is {@code v1:<base64(nonce ‖ ciphertext ‖ tag)>}.
 */
public final class SecretBox {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    public SecretBox(byte[] key32) {
        if (key32.length != 32) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key");
        }
        this.key = new SecretKeySpec(key32.clone(), "AES");
    }

    /** The configured key, or this node's generated one (created 0600 on first use). */
    public static SecretBox of(String configuredKey, Path keysDir) throws IOException {
        if (configuredKey != null) {
            return new SecretBox(configuredKey.getBytes(StandardCharsets.UTF_8));
        }
        Path file = keysDir.resolve(".secret_key");
        if (!Files.exists(file)) {
            byte[] k = new byte[32];
            RANDOM.nextBytes(k);
            Files.createDirectories(keysDir);
            Path tmp = keysDir.resolve(".secret_key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Base64.getEncoder().encodeToString(k));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return new SecretBox(Base64.getDecoder().decode(Files.readString(file).trim()));
    }

    public String seal(String plain) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return "v1:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** Opens sealed text; a wrong key or tampered text fails clearly. */
    public String open(String sealed) throws GeneralSecurityException {
        if (sealed == null || !sealed.startsWith("v1:")) {
            throw new GeneralSecurityException("not a sealed secret");
        }
        byte[] all = Base64.getDecoder().decode(sealed.substring(3));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
        return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    }
}
