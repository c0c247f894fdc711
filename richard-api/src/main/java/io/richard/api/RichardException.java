package io.richard.api;

/**
 * A problem caused by what a user gave the program: a config, a data file, a model archive, a network that
 * cannot be built. The message says what was wrong, where, and what was expected; front ends show it as one
 * line and never as a stack trace.
 */
public class RichardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RichardException(String message) {
        super(message);
    }

    public RichardException(String message, Throwable cause) {
        super(message, cause);
    }
}
