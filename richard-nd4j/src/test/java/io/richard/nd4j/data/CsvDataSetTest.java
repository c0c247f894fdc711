package io.richard.nd4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.richard.api.DataException;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDataSetTest {

    private static final DataSpec DATA = new DataSpec(List.of("cat", "dog"), new Shape(2, 1, 1),
            new Normalization(0, 10));

    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, text);
        return file;
    }

    private String error(String text) throws IOException {
        Path file = csv(text);
        return assertThrows(DataException.class, () -> CsvDataSet.load(file, DATA)).getMessage()
                .replace(file.toString(), "data.csv");
    }

    @Test
    void readsLabelsAndNormalisedValuesInFileOrder() throws IOException {
        CsvDataSet set = CsvDataSet.load(csv("dog,10,5\ncat,0,2.5\n cat , 1e1 ,-5\r\n"), DATA);
        assertEquals(3, set.size());
        assertEquals(new Shape(2, 1, 1), set.shape());
        assertArrayEquals(new int[] {1, 0, 0}, set.inMemory().labels());
        assertArrayEquals(new float[][] {{1f, 0.5f}, {0f, 0.25f}, {1f, -0.5f}},
                set.inMemory().features().toFloatMatrix());
        try (BatchStream batches = set.batches(2)) {
            Batch first = batches.next();
            assertArrayEquals(new float[][] {{0, 1}, {1, 0}}, first.y().toFloatMatrix());
            assertEquals(1, batches.next().size());
        }
    }

    /** The line parser of readers that cut files into parts gives the values, classes and messages of load. */
    @Test
    void lineParserReadsLinesAsLoadDoes() throws IOException {
        String[] lines = {"\uFEFFdog,10,5", "cat,0,2.5", " cat , 1e1 ,-5", "dog,3.25e-1,7"};
        CsvDataSet set = CsvDataSet.load(csv(String.join("\n", lines) + "\n"), DATA);
        CsvDataSet.LineParser parser = CsvDataSet.lineParser("data.csv", DATA);
        float[] values = new float[2 * lines.length];
        int[] classes = new int[lines.length];
        for (int i = 0; i < lines.length; i++) {
            classes[i] = parser.parse(lines[i], i + 1, values, 2 * i);
        }
        assertArrayEquals(set.inMemory().labels(), classes);
        float[][] loaded = set.inMemory().features().toFloatMatrix();
        for (int i = 0; i < lines.length; i++) {
            assertArrayEquals(loaded[i], new float[] {values[2 * i], values[2 * i + 1]}, "line " + (i + 1));
        }
        assertEquals("data.csv:7: label 'bird' is not one of data.classes [cat, dog]", assertThrows(
                DataException.class, () -> parser.parse("bird,1,2", 7, values, 0)).getMessage());
        assertEquals("data.csv:12: row has 3 values after the label, but data.shape needs 2 (expected LABEL,v1,…,v2)",
                assertThrows(DataException.class, () -> parser.parse("cat,1,2,3", 12, values, 0)).getMessage());
        assertEquals(error("cat,1,2\ncat,x,2\n").replace(":2:", ":9:"), assertThrows(DataException.class,
                () -> parser.parse("cat,x,2", 9, values, 0)).getMessage());
    }

    /** Chunks of fetchSize are read on a background thread and assembled in order; the limit is respected. */
    @Test
    void readsInChunksAndStopsAtTheLimit() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 23; i++) {
            text.append(i % 2 == 0 ? "cat" : "dog").append(',').append(i).append(',').append(i % 7).append('\n');
        }
        Path file = csv(text.toString());
        CsvDataSet all = CsvDataSet.load(file, DATA, 5, Integer.MAX_VALUE);
        assertEquals(23, all.size());
        float[][] values = all.inMemory().features().toFloatMatrix();
        for (int i = 0; i < 23; i++) {
            assertEquals(i / 10f, values[i][0], 1e-6);
            assertEquals((i % 7) / 10f, values[i][1], 1e-6);
            assertEquals(i % 2, all.inMemory().label(i));
        }
        assertEquals(7, CsvDataSet.load(file, DATA, 5, 7).size());
        assertEquals(23, CsvDataSet.load(file, DATA, 100, 50).size());
    }

    @Test
    void rowLengthErrorsNameFileAndLine() throws IOException {
        assertEquals("data.csv:2: row has 1 value after the label, but data.shape needs 2 (expected LABEL,v1,…,v2)",
                error("cat,1,2\ndog,3\n"));
        assertEquals("data.csv:1: row has 3 values after the label, but data.shape needs 2 (expected LABEL,v1,…,v2)",
                error("cat,1,2,3\n"));
    }

    @Test
    void valueErrorsNameFileLineAndField() throws IOException {
        assertEquals("data.csv:2: field 3 ('x') is not a number", error("cat,1,2\ndog,3,x\n"));
        assertEquals("data.csv:1: field 2 ('label') is not a number (a header line? the CSV format has none)",
                error("name,label,value\n"));
        assertEquals("data.csv:1: field 2 is empty; expected a number", error("cat,,2\n"));
        assertEquals("data.csv:1: field 3 ('NaN') is not a number", error("cat,1,NaN\n"));
        assertEquals("data.csv:1: field 2 ('0x10') is not a number", error("cat,0x10,1\n"));
    }

    @Test
    void labelAndLineErrors() throws IOException {
        assertEquals("data.csv:2: label 'cow' is not one of data.classes [cat, dog]", error("cat,1,2\ncow,3,4\n"));
        assertEquals("data.csv:1: the label (field 1) is empty; expected a class name", error(",1,2\n"));
        assertEquals("data.csv:2: blank line; every line must be one sample, LABEL,v1,…,v2",
                error("cat,1,2\n\ndog,1,2\n"));
        assertEquals("data.csv: no samples; the file is empty (expected one line LABEL,v1,…,v2 per sample)",
                error(""));
    }

    @Test
    void missingFileIsADataError() {
        Path missing = dir.resolve("missing.csv");
        assertEquals(missing + ": no such file",
                assertThrows(DataException.class, () -> CsvDataSet.load(missing, DATA)).getMessage());
    }

    @Test
    void rowsForPredictionMayHaveALabel() throws IOException {
        CsvDataSet.Rows rows = CsvDataSet.readRows(csv("1,2\nhorse,10,0\n"), DATA.shape(), DATA.normalization(),
                Integer.MAX_VALUE);
        assertNull(rows.labels().get(0));
        assertEquals("horse", rows.labels().get(1));
        assertArrayEquals(new int[] {1, 2}, rows.lines());
        assertArrayEquals(new float[][] {{0.1f, 0.2f}, {1f, 0f}}, rows.features().toFloatMatrix());
        Path bad = csv("1,2,3,4\n");
        assertEquals(bad + ":1: row has 4 fields, but data.shape needs 2 values (expected v1,…,v2 or LABEL,v1,…,v2)",
                assertThrows(DataException.class, () -> CsvDataSet.readRows(bad, DATA.shape(), DATA.normalization(),
                        10)).getMessage());
    }
}
