package io.richard.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import io.richard.api.Quote;
import io.richard.nd4j.io.OutputFiles;

/**
 * Where a command's messages go. Results go to standard output; information, warnings and progress go to
 * standard error; with {@code --log FILE} every message except the progress bar is also appended to the file
 * with a time stamp (a FIFO or a character device is written through: {@link OutputFiles}).
 */
final class Console implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean verbose;
    private final Path logFile;
    private Writer log;
    private boolean logFailed;
    /** Lines logged before the log file is opened, when opening is deferred; null once opened or discarded. */
    private List<String> pending;

    Console(PrintWriter out, PrintWriter err, boolean verbose, Path logFile) {
        this(out, err, verbose, logFile, false);
    }

    /**
     * @param deferLog keep the log lines in memory until {@link #openLog} (or the end), so that a command can
     *                 first check that the log file is not one of its inputs, known only after reading its config
     */
    Console(PrintWriter out, PrintWriter err, boolean verbose, Path logFile, boolean deferLog) {
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        this.logFile = logFile;
        if (logFile != null && deferLog) {
            pending = new ArrayList<>();
        } else if (logFile != null) {
            log = open(logFile);
        }
    }

    private static Writer open(Path logFile) {
        return new BufferedWriter(new OutputStreamWriter(OutputFiles.open(logFile, "log file", true),
                StandardCharsets.UTF_8));
    }

    /** Opens a deferred log file and writes the lines logged so far. */
    void openLog() {
        if (pending != null) {
            List<String> lines = pending;
            pending = null;
            log = open(logFile);
            lines.forEach(line -> append("INFO", line));
        }
    }

    /** Never opens a deferred log file: it turned out to be a file the command must not write. */
    void discardLog() {
        pending = null;
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

    /**
     * Appends a line to the log file, if there is one. A log that cannot be written (a full disk, {@code /dev/full})
     * stops the command with an error, once; an error being reported is not held up by it.
     */
    void log(String level, String line) {
        String stamped = LocalDateTime.now().format(TIME) + " [" + level + "] " + line;
        synchronized (this) {
            if (pending != null) {
                pending.add(stamped);
                return;
            }
        }
        append(level, stamped);
    }

    private synchronized void append(String level, String stamped) {
        if (log == null || logFailed) {
            return;
        }
        try {
            log.write(stamped + System.lineSeparator());
            log.flush();
        } catch (IOException e) {
            logFailed = true;
            if (!level.equals("ERROR")) {
                throw new UncheckedIOException("cannot write the log file " + logFile + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
            }
        }
    }

    @Override
    public void close() {
        if (pending != null) {
            try {
                openLog();                                      // a command that failed before it checked its files
            } catch (RuntimeException e) {
                // the log cannot be written: the command's own error is the one to report
            }
        }
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                // every line was flushed when it was logged; a failure then was reported then
            }
        }
    }
}
