package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes one JSON object per epoch to a JSON-lines file, flushed after every epoch. The file is only created (or
 * replaced) when the first epoch is recorded, so a run that fails before leaves an existing file alone.
 */
final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<String> keep;
    private Writer writer;

    /** A new log; the file is created (or replaced) when the first epoch is recorded, not before. */
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
        if (Files.isRegularFile(file)) {
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
     * Creates the file with the records kept from a resumed run, replacing the old one in one rename (a crash
     * leaves the old file or the new one), then keeps it open for appending.
     */
    private void open() throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);                                   // left by a run killed while writing it
        if (keep.isEmpty()) {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            return;
        }
        Files.write(temporary, keep, StandardCharsets.UTF_8);
        Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    Path file() {
        return file;
    }

    void write(EpochRecord record) {
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
