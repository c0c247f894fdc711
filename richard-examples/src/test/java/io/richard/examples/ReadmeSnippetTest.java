package io.richard.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Java code of the root README's library section (the first example, then the one that trains the saved
 * model further), as a user would paste it into JShell or IJava, so that the documentation cannot drift from the
 * API. For speed it trains 1 epoch instead of 10 (and 5), and it writes the models into a temporary folder;
 * everything else runs as written.
 */
class ReadmeSnippetTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theLibraryExampleOfTheReadmeRuns(@TempDir Path tmp) throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = JAVA_BLOCK.matcher(readme);
        assertTrue(block.find(), "README.md has no ```java block");
        String code = block.group(1);
        assertTrue(code.contains(".hyperparams(10,") && code.contains("\"mnist.richard\""),
                "the README example changed; update the substitutions of this test");
        assertTrue(block.find(), "README.md has no second ```java block (training further)");
        String further = block.group(1);
        assertTrue(further.contains(".hyperparams(5,") && further.contains("\"mnist.richard\"")
                && further.contains("\"mnist.net\""), "the README's training-further example changed; update the"
                + " substitutions of this test");
        code = code + further.replace(".hyperparams(5,", ".hyperparams(1,");
        code = code.replace(".hyperparams(10,", ".hyperparams(1,")
                .replace("\"richard-examples/data/mnist\"", "\"data/mnist\"")
                .replace("\"mnist.richard\"", "\"" + tmp.resolve("mnist.richard").toString().replace("\\", "/") + "\"")
                .replace("\"mnist.net\"", "\"" + tmp.resolve("mnist.net").toString().replace("\\", "/") + "\"");

        ObjectMapper json = new ObjectMapper();
        ObjectNode notebook = json.createObjectNode();
        ArrayNode cells = notebook.putArray("cells");
        ObjectNode cell = cells.addObject().put("cell_type", "code");
        cell.putArray("source").add("%maven io.richard:richard-nd4j:0.1.0-SNAPSHOT\n")
                .add("import java.nio.file.Path;\nimport java.util.Map;\n").add(code);
        notebook.putObject("metadata");
        notebook.put("nbformat", 4).put("nbformat_minor", 5);
        Path file = tmp.resolve("readme.ipynb");
        json.writeValue(file.toFile(), notebook);

        NotebookRunner.Result result = new NotebookRunner(file, tmp.resolve("output")).run();
        assertTrue(result.transcript().contains("accuracy"), result.transcript());
        assertTrue(Files.isRegularFile(tmp.resolve("mnist.richard")), "the model was not saved");
        assertTrue(Files.isRegularFile(tmp.resolve("mnist.net")), "the further-trained network file was not saved");
    }
}
