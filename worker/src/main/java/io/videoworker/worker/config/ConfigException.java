package io.videoworker.worker.config;

/** A configuration value is missing or wrong; the message names the key and what is expected. */
public class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
