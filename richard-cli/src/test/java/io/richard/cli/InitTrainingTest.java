package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code richard train CONFIG --init MODEL}: training starts from the parameters of a network file written as the
 * C++ program writes it, with CONFIG's learning rates and hyper-parameters, and the written network file holds
 * exactly what the equations give: {@link HandNetwork} computes one epoch of SGD with mini-batches of one sample
 * in float64, step by step from (1)–(33) and (11), and every parameter of the file richard writes must equal it
 * to 1e-6.
 */
class InitTrainingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The learning rates of the network files: CONFIG's must be the ones used. */
    private static final double FILE_RATE = 0.01;

    @TempDir
    Path dir;

    /** [3, 1, 1] → dense 4 → dense 3 → output 2, in the C++ program's layout. */
    private static String denseFileConfig() {
        return CppNetworkFileTest.cppConfig(List.of(3, 1, 1),
                List.of(CppFiles.object("dropoutRate", 0.0, "learnRate", FILE_RATE, "learnRateDecay", 1.0, "size", 4,
                                "type", "dense"),
                        CppFiles.object("dropoutRate", 0.0, "learnRate", FILE_RATE, "learnRateDecay", 1.0, "size", 3,
                                "type", "dense")),
                CppFiles.object("learnRate", FILE_RATE, "learnRateDecay", 1.0, "size", 2),
                CppFiles.object("batchSize", 60000, "epochs", 30, "miniBatchSize", 32), true);
    }

    private static final int DENSE_PARAMETERS = 4 + 4 * 3 + 3 + 3 * 4 + 2 + 2 * 3;

    /** The training config of the dense network: other learning rates per layer, mini-batches of 1, one epoch. */
    private static final String DENSE_CONFIG = """
            data:
              classes: [a, b]
              shape: [3, 1, 1]
              normalization: {min: 0, max: 8}
            dataLoader:
              fetchSize: 3
            classifier:
              network:
                hyperparams: {epochs: 1, batchSize: 1000, miniBatchSize: 1}
                hiddenLayers:
                  - {type: dense, size: 4, learnRate: 0.5, learnRateDecay: 0.5}
                  - {type: dense, size: 3, learnRate: 0.25}
                outputLayer: {size: 2, learnRate: 0.75}
            """;

    /** The training config of the convolutional network of {@link CppNetworkFileTest#convConfig}, as reference JSON. */
    private static final String CONV_CONFIG = """
            {
                "data": {"classes": ["a", "b"], "shape": [5, 4, 2], "normalization": {"min": 0, "max": 8}},
                "dataLoader": {"fetchSize": 2},
                "classifier": {"network": {
                    "hyperparams": {"epochs": 1, "batchSize": 1000, "miniBatchSize": 1},
                    "hiddenLayers": [
                        {"type": "convolutional", "depth": 2, "kernelSize": [2, 3], "learnRate": 0.2,
                         "learnRateDecay": 1.0, "dropoutRate": 0.0},
                        {"type": "maxPooling", "regionSize": [2, 2]}
                    ],
                    "outputLayer": {"size": 2, "learnRate": 0.6, "learnRateDecay": 1.0}
                }}
            }
            """;

    @Test
    void aDenseNetworkOfTheCppProgramTrainsOneEpochExactlyAsTheEquationsSayWithTheLegacyFlags() throws IOException {
        float[] initial = CppNetworkFileTest.handSet(DENSE_PARAMETERS, 5);
        Path net = CppFiles.write(dir.resolve("net.bin"), denseFileConfig(), initial);
        Path config = Files.writeString(dir.resolve("train.yaml"), DENSE_CONFIG);
        List<int[]> rows = CppNetworkFileTest.rows(6, 3, 11);
        Path data = CppNetworkFileTest.csv(dir.resolve("train.csv"), rows);

        // the reference's own command line, plus --init: train the existing network file N further, in place
        Result result = run(args("--train", "--samples", data, "--config", config, "--network", net, "--init",
                "--progress", "none"));
        assertEquals(0, result.status(), result::toString);
        assertTrue(result.err().contains("init     parameters of " + net + " (network file of the C++ Richard)"),
                result::toString);

        HandNetwork hand = new HandNetwork(3, 1, 1, initial).dense(4).dense(3).dense(2).done();
        for (int[] row : rows) {
            hand.train(CppNetworkFileTest.input(row), CppNetworkFileTest.target(row), new double[] {0.5, 0.25, 0.75});
        }
        assertParameters(hand.parameters(), CppFiles.parameters(net), initial);
        String written = CppFiles.config(net);
        assertReadableByTheCppProgram(written);
        JsonNode network = JSON.readTree(written).get("classifier").get("network");
        assertEquals(0.5, network.get("hiddenLayers").get(0).get("learnRate").asDouble());
        assertEquals(0.5, network.get("hiddenLayers").get(0).get("learnRateDecay").asDouble());
        assertEquals(1, network.get("hyperparams").get("miniBatchSize").asInt());
    }

    @Test
    void aConvolutionalNetworkOfTheCppProgramTrainsOneEpochExactlyAsTheEquationsSay() throws IOException {
        float[] initial = CppNetworkFileTest.handSet(CppNetworkFileTest.CONV_PARAMETERS, 9);
        String fileConfig = CppNetworkFileTest.convConfig(FILE_RATE);
        Path net = CppFiles.write(dir.resolve("conv.net"), fileConfig, initial);
        byte[] before = Files.readAllBytes(net);
        Path config = Files.writeString(dir.resolve("conv.json"), CONV_CONFIG);
        List<int[]> rows = CppNetworkFileTest.rows(5, 5 * 4 * 2, 12);
        Path data = CppNetworkFileTest.csv(dir.resolve("train.csv"), rows);
        Path out = dir.resolve("trained.net");

        Result result = run(args("train", config, "--init", net, "--data", data, "--model-format", "reference",
                "-o", out, "--progress", "none"));
        assertEquals(0, result.status(), result::toString);

        HandNetwork hand = new HandNetwork(5, 4, 2, initial).convolutional(2, 2, 3).maxPooling(2, 2).dense(2).done();
        for (int[] row : rows) {
            hand.train(CppNetworkFileTest.input(row), CppNetworkFileTest.target(row), new double[] {0.2, 0, 0.6});
        }
        assertParameters(hand.parameters(), CppFiles.parameters(out), initial);
        assertReadableByTheCppProgram(CppFiles.config(out));
        assertArrayEquals(before, Files.readAllBytes(net), "the --init file is only read");
    }

    /**
     * Every parameter within 1e-6 of the hand computation, after an epoch that moved most of them by far more
     * than that (so the comparison says something about the training, not only about the file).
     */
    private static void assertParameters(double[] expected, float[] written, float[] initial) {
        assertEquals(expected.length, written.length, "parameter count");
        int moved = 0;
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], written[k], 1e-6, "parameter " + k + " of the file");
            moved += Math.abs(expected[k] - initial[k]) > 1e-3 ? 1 : 0;
        }
        assertTrue(moved >= expected.length * 2 / 3, moved + " of " + expected.length + " parameters moved by > 1e-3");
    }

    /**
     * What the C++ program needs to read a network file's config (reference §1: every key is required, there
     * are no defaults; §6: compact JSON, keys sorted).
     */
    private static void assertReadableByTheCppProgram(String config) throws IOException {
        assertFalse(config.contains(" ") || config.contains("\n"), "compact JSON: " + config);
        JsonNode root = JSON.readTree(config);
        assertSorted(root, "");
        for (String path : List.of("data/classes", "data/shape", "data/normalization/min", "data/normalization/max",
                "dataLoader/fetchSize", "classifier/network/hyperparams/epochs",
                "classifier/network/hyperparams/batchSize", "classifier/network/hyperparams/miniBatchSize",
                "classifier/network/outputLayer/size", "classifier/network/outputLayer/learnRate",
                "classifier/network/outputLayer/learnRateDecay")) {
            assertFalse(root.at("/" + path).isMissingNode(), path + " is required: " + config);
        }
        assertEquals(3, root.at("/data/shape").size());
        for (JsonNode layer : root.at("/classifier/network/hiddenLayers")) {
            List<String> keys = switch (layer.get("type").asText()) {
                case "dense" -> List.of("size", "learnRate", "learnRateDecay", "dropoutRate");
                case "convolutional" -> List.of("depth", "kernelSize", "learnRate", "learnRateDecay", "dropoutRate");
                case "maxPooling" -> List.of("regionSize");
                default -> throw new AssertionError("unknown layer type in " + layer);
            };
            for (String key : keys) {
                assertTrue(layer.has(key), key + " is required: " + layer);
            }
        }
    }

    private static void assertSorted(JsonNode node, String path) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            assertEquals(sorted, keys, "keys of " + path + " in sorted order");
            for (Iterator<String> it = keys.iterator(); it.hasNext(); ) {
                String key = it.next();
                assertSorted(node.get(key), path + "/" + key);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                assertSorted(node.get(i), path + "[" + i + "]");
            }
        }
    }

    @Test
    void aConfigWhoseLayersDifferStopsNamingTheFirstDifference() throws IOException {
        Path net = CppFiles.write(dir.resolve("net.bin"), denseFileConfig(), new float[DENSE_PARAMETERS]);
        Path data = CppNetworkFileTest.csv(dir.resolve("train.csv"), CppNetworkFileTest.rows(4, 3, 1));

        Path size = Files.writeString(dir.resolve("size.yaml"), DENSE_CONFIG.replace("size: 3,", "size: 5,"));
        Result sizeResult = run(args("train", size, "--init", net, "--data", data, "-o", dir.resolve("x.richard")));
        assertEquals(2, sizeResult.status(), sizeResult::toString);
        assertEquals("richard: error: " + size + ": layer 1 (hiddenLayers[1]) size is 5 in the config but 3 in " + net
                + " (classifier.network.hiddenLayers[1].size); --init needs the config's layers and shapes to equal the"
                + " model's (learning rates, dropout rates, hyperparams and the data section may differ)\n",
                sizeResult.err());

        String extraLayer = DENSE_CONFIG.replace("    outputLayer:",
                "      - {type: dense, size: 2, learnRate: 0.1}\n    outputLayer:");
        assertTrue(extraLayer.contains("size: 2, learnRate: 0.1}\n    outputLayer"), extraLayer);
        Path extra = Files.writeString(dir.resolve("extra.yaml"), extraLayer);
        Result extraResult = run(args("train", extra, "--init", net, "--data", data, "-o", dir.resolve("x.richard")));
        assertEquals(2, extraResult.status(), extraResult::toString);
        assertTrue(extraResult.err().startsWith("richard: error: " + extra + ": layer 2 (hiddenLayers[2]) type is dense"
                + " in the config but output in " + net + " (classifier.network.hiddenLayers[2].type)"),
                extraResult::toString);

        Path conv = CppFiles.write(dir.resolve("conv.net"), CppNetworkFileTest.convConfig(FILE_RATE),
                new float[CppNetworkFileTest.CONV_PARAMETERS]);
        Path kernel = Files.writeString(dir.resolve("kernel.json"), CONV_CONFIG.replace("[2, 3]", "[4, 3]"));
        Result kernelResult = run(args("train", kernel, "--init", conv, "--data", data, "-o", dir.resolve("y.richard")));
        assertEquals(2, kernelResult.status(), kernelResult::toString);
        assertTrue(kernelResult.err().startsWith("richard: error: " + kernel + ": layer 0 (hiddenLayers[0]) kernelSize"
                + " is [4, 3] in the config but [2, 3] in " + conv), kernelResult::toString);

        Path shape = Files.writeString(dir.resolve("shape.json"), CONV_CONFIG.replace("[5, 4, 2]", "[5, 6, 2]"));
        Result shapeResult = run(args("train", shape, "--init", conv, "--data", data, "-o", dir.resolve("y.richard")));
        assertEquals(2, shapeResult.status(), shapeResult::toString);
        assertTrue(shapeResult.err().startsWith("richard: error: " + shape + ": the input shape data.shape is"
                + " [5, 6, 2] in the config but [5, 4, 2] in " + conv), shapeResult::toString);
        assertFalse(Files.exists(dir.resolve("x.richard")) || Files.exists(dir.resolve("y.richard")));
    }

    @Test
    void archivesAndCheckpointsStartTrainingToo() throws IOException {
        Path config = Files.writeString(dir.resolve("train.yaml"), DENSE_CONFIG.replace("epochs: 1", "epochs: 2"));
        Path data = CppNetworkFileTest.csv(dir.resolve("train.csv"), CppNetworkFileTest.rows(6, 3, 3));
        Path archive = dir.resolve("a.richard");
        Result first = run(args("train", config, "--data", data, "-o", archive, "--checkpoint-every", "1",
                "--seed", "4", "--progress", "none"));
        assertEquals(0, first.status(), first::toString);
        Path reference = dir.resolve("a.net");
        Result same = run(args("train", config, "--data", data, "-o", reference, "--model-format", "reference",
                "--seed", "4", "--progress", "none"));
        assertEquals(0, same.status(), same::toString);

        for (Path model : List.of(archive, dir.resolve("a.richard.checkpoint"))) {
            Path copy = dir.resolve(model.getFileName() + ".net");
            Result init = run(args("train", config, "--init", model, "--data", data, "--epochs", "0", "-o", copy,
                    "--model-format", "reference", "--progress", "none"));
            assertEquals(0, init.status(), init::toString);
            assertArrayEquals(CppFiles.parameters(reference), CppFiles.parameters(copy), model.toString());
        }
    }

    @Test
    void initAndResumeDoNotMixAndTheLegacyInitNeedsAnExistingNetwork() throws IOException {
        Path config = Files.writeString(dir.resolve("train.yaml"), DENSE_CONFIG);
        Path data = CppNetworkFileTest.csv(dir.resolve("train.csv"), CppNetworkFileTest.rows(4, 3, 1));
        Path net = CppFiles.write(dir.resolve("net.bin"), denseFileConfig(), new float[DENSE_PARAMETERS]);

        Result both = run(args("train", config, "--init", net, "--resume", net, "--data", data));
        assertEquals(2, both.status(), both::toString);
        assertTrue(both.err().startsWith("richard: error: --init and --resume cannot be combined"), both::toString);

        Path missing = dir.resolve("missing.bin");
        Result legacy = run(args("--train", "-s", data, "-c", config, "-n", missing, "--init"));
        assertEquals(2, legacy.status(), legacy::toString);
        assertEquals("richard: error: --init starts from the network file given with --network, but " + missing
                + " does not exist; leave --init out to train a new network, or give --init MODEL\n", legacy.err());
        assertFalse(Files.exists(missing));
    }
}
