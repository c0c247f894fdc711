package io.richard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import io.richard.api.Quote;
import io.richard.api.RichardException;

/**
 * Turns an exception into the one-line message and the exit status the user sees: 2 for problems with what
 * the user gave (config, data, model file, command line, files that cannot be read or written), 1 for anything
 * else. The stack trace is shown only with {@code --verbose}.
 */
final class Errors {

    /** Exit status for usage, config, data and model errors. */
    static final int USER_ERROR = 2;
    /** Exit status for everything else. */
    static final int INTERNAL_ERROR = 1;
    /** Exit status of a run stopped by Ctrl-C (SIGINT) that saved its model: 128 + 2, as shells report SIGINT. */
    static final int INTERRUPTED = 130;
    /** Exit status of a run stopped by SIGTERM that saved its model: 128 + 15, as shells report SIGTERM. */
    static final int TERMINATED = 143;
    /** Exit status of a run that quit at once without saving (a second Ctrl-C or SIGTERM, or one before training). */
    static final int QUIT_UNSAVED = 3;

    private Errors() {
    }

    static int report(Throwable thrown, PrintWriter err, boolean verbose) {
        Throwable t = unwrap(thrown);
        int status;
        String message;
        if (t instanceof RichardException) {
            status = USER_ERROR;
            message = t.getMessage();
        } else if (t instanceof NoSuchFileException e) {
            status = USER_ERROR;
            message = e.getFile() + ": no such file or directory";
        } else if (t instanceof AccessDeniedException e) {
            status = USER_ERROR;
            message = e.getFile() + ": permission denied";
        } else if (t instanceof FileSystemException e) {
            status = USER_ERROR;
            message = e.getMessage();
        } else if (t instanceof IOException || t instanceof UncheckedIOException) {
            status = USER_ERROR;
            message = t.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            status = INTERNAL_ERROR;
            message = "out of memory (" + t.getMessage() + "); give Java more with RICHARD_JAVA_OPTS=-Xmx8g, or read"
                    + " fewer samples (training.limit, --limit)";
        } else {
            status = INTERNAL_ERROR;
            message = "unexpected " + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
                    + (verbose ? "" : " (run with --verbose to see the stack trace)");
        }
        if (t instanceof io.richard.api.ConfigException config && config.lines().size() > 1) {
            for (String line : config.lines()) {                        // a config's problems, one line each
                err.println("richard: error: " + oneLine(line));
            }
        } else {
            err.println("richard: error: " + oneLine(message));
        }
        if (verbose) {
            thrown.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof CompletionException
                || current instanceof UncheckedIOException && current.getCause() instanceof FileSystemException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** The message on one bounded line ({@link Quote#message}). */
    static String oneLine(String message) {
        return Quote.message(message == null ? null : message.trim());
    }
}
