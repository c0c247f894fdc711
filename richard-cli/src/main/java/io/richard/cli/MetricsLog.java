package io.richard.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.nd4j.io.OutputFiles;

/**
 * Writes one JSON object per epoch to a JSON-lines file, flushed after every epoch. The file is only created (or
 * replaced) when the first epoch is recorded, so a run that fails before leaves an existing file alone.
 */
final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<String> keep;
    private Writer writer;

    /**
     * A new log; the file is created (or replaced) when the first epoch is recorded, not before. A null file writes
     * nothing.
     */
    MetricsLog(Path file) {
        this(file, List.of());
    }

    private MetricsLog(Path file, List<String> keep) {
        this.file = file;
        this.keep = List.copyOf(keep);
    }

    /**
     * A log that continues a run resumed at the start of or during epoch {@code resumedEpoch} (0-based): keeps the
     * records of the epochs before it (those the checkpoint includes) and drops later ones, which the resumed run
     * writes again.
     */
    static MetricsLog continuing(Path file, int resumedEpoch) {
        List<String> keep = new ArrayList<>();
        if (file != null && Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        JsonNode record = JSON.readTree(line);
                        if (record != null && record.path("epoch").canConvertToInt()
                                && record.path("epoch").intValue() <= resumedEpoch) {
                            keep.add(line);
                        }
                    } catch (IOException e) {
                        // a line cut short by a crash: dropped
                    }
                }
            } catch (IOException e) {
                // unreadable: start a new log
            }
        }
        return new MetricsLog(file, keep);
    }

    /**
     * Creates the file with the records kept from a resumed run, replacing the old one atomically (a crash leaves
     * the old file or the new one), then keeps it open for appending. A FIFO or a character device is written
     * through ({@link OutputFiles}).
     */
    private void open() throws IOException {
        if (!keep.isEmpty() && OutputFiles.kind(file) != OutputFiles.Kind.STREAM) {
            OutputFiles.write(file, "metrics file", out -> out.write((String.join("\n", keep) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            writer = new BufferedWriter(new OutputStreamWriter(OutputFiles.open(file, "metrics file", true),
                    StandardCharsets.UTF_8));
            return;
        }
        writer = new BufferedWriter(new OutputStreamWriter(OutputFiles.open(file, "metrics file", false),
                StandardCharsets.UTF_8));
        for (String line : keep) {
            writer.write(line);
            writer.write('\n');
        }
    }

    Path file() {
        return file;
    }

    void write(EpochRecord record) {
        if (file == null) {
            return;                                                        // no metrics file asked for
        }
        try {
            if (writer == null) {
                open();
            }
            writer.write(JSON.writeValueAsString(record));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file + ": " + e.getMessage(), e);
        }
    }
}
