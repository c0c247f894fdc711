package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kernels plain|fast}: a convolutional network trained, evaluated and run on either implementation gives
 * the same costs, accuracies and outputs up to float rounding; an unknown implementation is a usage error.
 */
class KernelsOptionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void plainAndFastKernelsTrainEvaluateAndPredictAlike() throws IOException {
        Path config = Fixtures.imageProject(dir);
        JsonNode[] lastEpoch = new JsonNode[2];
        JsonNode[] evaluation = new JsonNode[2];
        JsonNode[] prediction = new JsonNode[2];
        String[] kernels = {"plain", "fast"};
        for (int k = 0; k < 2; k++) {
            Path model = dir.resolve(kernels[k] + ".richard");
            Result train = run(args("train", config, "-o", model, "--epochs", 3, "--progress", "none", "--kernels",
                    kernels[k]));
            assertEquals(0, train.status(), train::toString);
            List<String> metrics = Files.readAllLines(Path.of(model + ".metrics.jsonl"));
            lastEpoch[k] = JSON.readTree(metrics.get(metrics.size() - 1));
            // evaluated and run on the other implementation than it was trained on
            Result eval = run(args("eval", model, dir.resolve("images/test"), "--format", "json", "--kernels",
                    kernels[1 - k]));
            assertEquals(0, eval.status(), eval::toString);
            evaluation[k] = JSON.readTree(eval.out());
            Result predict = run(args("predict", model, dir.resolve("images/test/dark/dark-0.png"), "--format", "json",
                    "--kernels", kernels[k]));
            assertEquals(0, predict.status(), predict::toString);
            prediction[k] = JSON.readTree(predict.out());
        }
        assertEquals(lastEpoch[0].get("meanCost").asDouble(), lastEpoch[1].get("meanCost").asDouble(), 1e-5);
        assertEquals(lastEpoch[0].get("testAccuracy").asDouble(), lastEpoch[1].get("testAccuracy").asDouble(), 1e-9);
        assertTrue(lastEpoch[0].get("meanCost").asDouble() < 0.25, "trained: " + lastEpoch[0]);
        assertEquals(evaluation[0].get("correct").asInt(), evaluation[1].get("correct").asInt());
        assertEquals(evaluation[0].get("meanCost").asDouble(), evaluation[1].get("meanCost").asDouble(), 1e-5);
        assertTrue(prediction[0].toString().contains("predicted"), prediction[0].toString());
        assertAlike(prediction[0], prediction[1], "predict");
    }

    /** The same tree, numbers within 1e-5, everything else equal. */
    private static void assertAlike(JsonNode a, JsonNode b, String where) {
        if (a.isNumber()) {
            assertTrue(b.isNumber(), where);
            assertEquals(a.asDouble(), b.asDouble(), 1e-5, where);
        } else if (a.isContainerNode()) {
            assertEquals(a.size(), b.size(), where);
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    assertAlike(a.get(i), b.get(i), where + "[" + i + "]");
                }
            } else {
                a.fieldNames().forEachRemaining(name -> assertAlike(a.get(name), b.get(name), where + "." + name));
            }
        } else {
            assertEquals(a, b, where);
        }
    }

    @Test
    void anUnknownImplementationIsAUsageError() throws IOException {
        Path config = Fixtures.imageProject(dir);
        Result result = run(args("train", config, "--kernels", "quick"));
        assertEquals(2, result.status(), result::toString);
        assertTrue(result.err().contains("--kernels"), result::toString);
        assertTrue(result.err().contains("plain") && result.err().contains("fast"), result::toString);
        assertFalse(result.err().contains("Exception"), result::toString);
        assertFalse(Files.exists(dir.resolve("config.richard")), "no model written");
    }
}
