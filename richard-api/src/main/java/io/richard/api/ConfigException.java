package io.richard.api;

/** A network description or training config that cannot be used: names the field and what was expected. */
public class ConfigException extends RichardException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
