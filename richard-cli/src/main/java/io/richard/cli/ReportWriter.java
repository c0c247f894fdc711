package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.Shape;
import io.richard.api.data.LabelledDataSet;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.OutputFiles;

/**
 * Writes a training report ({@link ReportPage}) for {@code richard report} and {@code richard train --report}: each
 * write replaces the file atomically ({@link OutputFiles}), so a browser reloading it while training runs always
 * sees a whole page.
 */
final class ReportWriter {

    /** How often a report written during training asks the browser to reload it. */
    static final int REFRESH_SECONDS = 30;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final String modelName;
    private final String modelKind;
    private final Map<String, String> metadata;
    private final String dataName;
    private final String dataFormat;
    private final String dataRole;
    private final Shape picture;
    private final int mistakes;
    private ReportAnalysis analysis;

    /**
     * @param file      where the report goes
     * @param modelName the model's file name (the page's title)
     * @param modelKind what the model file is, e.g. "model archive v1"
     * @param metadata  what the model records about its training
     * @param data      the data set evaluated, as loaded
     * @param dataName  its path as given
     * @param dataRole  what the data is ("the test set"), or null
     * @param mistakes  how many confidently wrong samples to show
     */
    ReportWriter(Path file, String modelName, String modelKind, Map<String, String> metadata,
            DataSources.Loaded data, String dataName, String dataRole, int mistakes) {
        this.file = file;
        this.modelName = modelName;
        this.modelKind = modelKind;
        this.metadata = new LinkedHashMap<>(metadata);
        this.dataName = dataName;
        this.dataFormat = data.format() + ", " + Text.count(data.data().size()) + " samples";
        this.dataRole = dataRole;
        this.picture = data.picture();
        this.mistakes = mistakes;
    }

    Path file() {
        return file;
    }

    /** Evaluates the network for the next report (one pass over {@code data}) and returns the evaluation. */
    Evaluation evaluate(Network network, LabelledDataSet data, int batchSize, int threads) {
        analysis = ReportAnalysis.of(network, data, batchSize, threads, mistakes);
        return analysis.evaluation();
    }

    /** Whether {@link #evaluate} has run. */
    boolean evaluated() {
        return analysis != null;
    }

    /**
     * Writes the report of the last {@link #evaluate evaluation}.
     *
     * @param history       the epochs so far
     * @param historySource where they come from, or why there are none
     * @param status        a line saying training is under way (the page then reloads itself), or null when final
     * @param metadata      more facts about the model's training (added to those given at construction)
     */
    void write(Network network, List<EpochRecord> history, String historySource, String status,
            Map<String, String> metadata) {
        if (analysis == null) {
            throw new IllegalStateException("evaluate before writing the report");
        }
        Map<String, String> facts = new LinkedHashMap<>(this.metadata);
        facts.putAll(metadata);
        ReportPage.Content content = new ReportPage.Content(modelName, modelKind, network.model(),
                network.parameterCount(), facts, history, historySource, dataName, dataFormat, dataRole, picture,
                analysis, status, status == null ? 0 : REFRESH_SECONDS,
                ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replace('T', ' '));
        byte[] html = ReportPage.html(content).getBytes(StandardCharsets.UTF_8);
        OutputFiles.write(file, "report", out -> out.write(html));
    }

    /**
     * The epochs recorded in a metrics file (JSON lines, {@link EpochRecord}); lines that are not records (one cut
     * short by a crash) are skipped, and a resumed run's repeated epochs keep their last record.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    static List<EpochRecord> readMetrics(Path metrics) {
        List<String> lines;
        try {
            lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metrics file " + metrics + ": " + e.getMessage(), e);
        }
        Map<Integer, EpochRecord> byEpoch = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                EpochRecord record = JSON.readValue(line, EpochRecord.class);
                if (record.epoch() > 0) {
                    byEpoch.remove(record.epoch());
                    byEpoch.put(record.epoch(), record);
                }
            } catch (IOException | RuntimeException e) {
                // not a record: skipped
            }
        }
        List<EpochRecord> records = new ArrayList<>(byEpoch.values());
        records.sort(java.util.Comparator.comparingInt(EpochRecord::epoch));
        return records;
    }
}
