package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Writes one JSON object per epoch to a JSON-lines file, flushed after every epoch. */
final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Writer writer;

    MetricsLog(Path file) {
        this.file = file;
        try {
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    void write(EpochRecord record) {
        try {
            writer.write(JSON.writeValueAsString(record));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file + ": " + e.getMessage(), e);
        }
    }
}
