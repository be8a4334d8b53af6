package io.videoworker.guac.protocol;

import java.io.IOException;

/**
 * Thrown once by {@link GzipMembers#read} where its data is damaged, after every byte before the
 * damage was returned; reading then goes on with what follows it, if anything does.
 */
final class DamagedDataException extends IOException {
    private final transient GzipDamage damage;

    DamagedDataException(GzipDamage damage) {
        super(damage.describe());
        this.damage = damage;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an event, not a failure: no stack trace to build
    }

    GzipDamage damage() {
        return damage;
    }
}
