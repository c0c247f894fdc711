package io.richard.cli;

import io.richard.api.RichardException;

/** A command line that cannot be run as given (exit status 2). */
public class UsageException extends RichardException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
