package io.richard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import io.richard.api.Quote;

/**
 * Where a command's messages go. Results go to standard output; information, warnings and progress go to
 * standard error; with {@code --log FILE} every message except the progress bar is also appended to the file
 * with a time stamp.
 */
final class Console implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean verbose;
    private final PrintWriter log;

    Console(PrintWriter out, PrintWriter err, boolean verbose, Path logFile) {
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        if (logFile == null) {
            this.log = null;
        } else {
            try {
                Path parent = logFile.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                this.log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the log file " + logFile + ": " + e.getMessage(), e);
            }
        }
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    boolean verbose() {
        return verbose;
    }

    /** A result line, on standard output. */
    void result(String line) {
        out.println(line);
        out.flush();
        log("RESULT", line);
    }

    /** Information for the person at the terminal, on standard error. */
    void info(String line) {
        err.println(line);
        err.flush();
        log("INFO", line);
    }

    /** Shown only with --verbose (always logged). */
    void debug(String line) {
        if (verbose) {
            err.println(line);
            err.flush();
        }
        log("DEBUG", line);
    }

    void warn(String message) {
        err.println("richard: warning: " + Quote.message(message));
        err.flush();
        log("WARNING", message);
    }

    /** Text for the terminal only (the progress bar), not logged. */
    void progress(String text) {
        err.print(text);
        err.flush();
    }

    /** Appends a line to the log file, if there is one. */
    void log(String level, String line) {
        if (log != null) {
            synchronized (log) {
                log.println(LocalDateTime.now().format(TIME) + " [" + level + "] " + line);
            }
        }
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
