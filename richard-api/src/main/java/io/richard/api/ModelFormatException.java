package io.richard.api;

/** A model file (archive or reference network file) that is truncated, corrupt, foreign or inconsistent. */
public class ModelFormatException extends RichardException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
