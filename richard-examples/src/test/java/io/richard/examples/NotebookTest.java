package io.richard.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Executes every notebook in {@code notebooks/} through JShell as the IJava kernel would (see
 * {@link NotebookRunner}) and fails when a cell fails. What each notebook displayed is kept in
 * {@code target/notebook-output/<notebook>/} (images as PNG, HTML as .html, and the printed transcript).
 */
class NotebookTest {

    private static final Path NOTEBOOKS = Path.of("notebooks");
    private static final Path BROKEN = Path.of("src", "test", "resources", "notebooks");
    private static final Path OUTPUT = Path.of("target", "notebook-output");

    /** What the shipped notebooks must show, beyond running without an error: MIME type → minimum count. */
    private static final Map<String, Map<String, Integer>> EXPECTED_DISPLAYS = Map.of(
            "01-backpropagation-equation-by-equation.ipynb", Map.of("image/png", 3),
            "02-cnn-on-mnist.ipynb", Map.of("image/png", 3, "text/html", 1));

    @TestFactory
    Stream<DynamicTest> everyNotebookRuns() throws IOException {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        return notebooks.stream().map(notebook -> DynamicTest.dynamicTest(notebook.getFileName().toString(), () -> {
            NotebookRunner.Result result = run(notebook);
            System.out.printf("%s: %d code cells, %d displays, %.1f s%n", notebook.getFileName(),
                    NotebookRunner.codeCells(notebook).size(), result.displays().size(), result.seconds());
            assertFalse(result.displays().isEmpty(), notebook + " displayed nothing");
            Map<String, Integer> expected = EXPECTED_DISPLAYS.getOrDefault(notebook.getFileName().toString(), Map.of());
            expected.forEach((mime, min) -> assertTrue(result.count(mime) >= min,
                    notebook + " displayed " + result.count(mime) + " " + mime + ", expected at least " + min));
            for (NotebookRunner.Display display : result.displays()) {
                if (display.mime().equals("image/png")) {
                    BufferedImage image = ImageIO.read(display.file().toFile());
                    assertTrue(image != null && image.getWidth() > 1 && image.getHeight() > 1,
                            "not an image: " + display.file());
                } else if (display.mime().equals("text/html")) {
                    assertTrue(Files.readString(display.file()).contains("<table"), "no table in " + display.file());
                }
            }
        }));
    }

    @Test
    void theNotebooksAreThere() {
        EXPECTED_DISPLAYS.keySet().forEach(name ->
                assertTrue(Files.isRegularFile(NOTEBOOKS.resolve(name)), NOTEBOOKS.resolve(name) + " is missing"));
    }

    @Test
    void aCellThatThrowsFailsTheRunWithItsCellAndLine() {
        AssertionError error = assertThrows(AssertionError.class, () -> run(BROKEN.resolve("broken-exception.ipynb")));
        String message = error.getMessage();
        assertTrue(message.contains("code cell 2 (cell 3 of the notebook), line 3"), message);
        assertTrue(message.contains("int z = a[3];"), message);
        assertTrue(message.contains("ArrayIndexOutOfBoundsException"), message);
    }

    @Test
    void aRejectedSnippetFailsTheRun() {
        AssertionError error = assertThrows(AssertionError.class, () -> run(BROKEN.resolve("broken-rejected.ipynb")));
        String message = error.getMessage();
        assertTrue(message.contains("code cell 1 (cell 1 of the notebook), line 2"), message);
        assertTrue(message.contains("String s = 42;") && message.contains("rejected"), message);
    }

    @Test
    void codeLeftIncompleteFailsTheRun() {
        AssertionError error = assertThrows(AssertionError.class,
                () -> run(BROKEN.resolve("broken-incomplete.ipynb")));
        assertTrue(error.getMessage().contains("incomplete code"), error.getMessage());
        assertTrue(error.getMessage().contains("code cell 1"), error.getMessage());
    }

    @Test
    void aNotebookSeesOnlyTheDependenciesItsMagicsAskFor() {
        // Nd4j is on this test's class path, but the notebook has no %maven line for it.
        AssertionError error = assertThrows(AssertionError.class,
                () -> run(BROKEN.resolve("broken-missing-dependency.ipynb")));
        assertTrue(error.getMessage().contains("import org.nd4j.linalg.factory.Nd4j;"), error.getMessage());
        assertTrue(error.getMessage().contains("does not exist"), error.getMessage());
    }

    @Test
    void magicsAddTheirClassPathAndDisplayIsRecorded() throws IOException {
        NotebookRunner.Result result = run(BROKEN.resolve("magics.ipynb"));
        assertEquals(1, result.count("text/html"), result.displays().toString());
        assertEquals("<b>%not a magic</b>\n", Files.readString(result.displays().get(0).file()));
        assertTrue(result.transcript().contains("org.nd4j.linalg.factory.Nd4j"), result.transcript());
        assertTrue(result.transcript().contains("io.richard.examples.ExampleArgs"), result.transcript());
    }

    private static NotebookRunner.Result run(Path notebook) {
        String name = notebook.getFileName().toString().replace(".ipynb", "");
        return new NotebookRunner(notebook, OUTPUT.resolve(name)).run();
    }
}
