package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.richard.nd4j.io.Suggest;
import io.richard.api.ConfigException;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.EarlyStoppingSpec;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.spec.ScheduleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {

    /** A small valid YAML config; line numbers below refer to it. */
    static final String YAML = """
            data:
              classes: [a, b]
              shape: [2, 2, 1]
              normalization:
                min: 0
                max: 10
            dataLoader:
              fetchSize: 8
            classifier:
              network:
                hyperparams:
                  epochs: 2
                  batchSize: 100
                  miniBatchSize: 4
                hiddenLayers:
                  - type: dense
                    size: 6
                    learnRate: 0.5
                  - type: dense
                    size: 3
                    learnRate: 0.5
                    learnRateDecay: 0.9
                    dropoutRate: 0.0
                outputLayer:
                  size: 2
                  learnRate: 0.5
            """;

    @TempDir
    Path dir;

    private static TrainingConfig parse(String text) {
        return ConfigReader.parse(text, "cfg.yaml", Path.of("/base"));
    }

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConfigReaderTest.class.getResourceAsStream("/configs/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsAValidYamlConfigWithDefaultsForOptionalKeys() {
        TrainingConfig config = parse(YAML);
        ModelSpec model = config.model();
        assertEquals(List.of("a", "b"), model.classes());
        assertEquals(new Shape(2, 2, 1), model.inputShape());
        assertEquals(8, model.dataLoader().fetchSize());
        NetworkSpec network = model.network();
        assertEquals(2, network.hyperparams().epochs());
        assertEquals(new DenseLayerSpec(6, 0.5, 1.0, 0.0), network.hiddenLayers().get(0));
        assertEquals(new DenseLayerSpec(3, 0.5, 0.9, 0.0), network.hiddenLayers().get(1));
        assertEquals(2, network.outputLayer().size());
        assertEquals(TrainingOptions.defaults(), config.training());
        assertTrue(config.warnings().isEmpty());
    }

    /** YAML's 2.0 is a float; where an integer is wanted it is that integer, as the C++ program's JSON reader has it. */
    @Test
    void wholeNumbersWrittenWithAFractionAreIntegers() {
        TrainingConfig written = parse(YAML.replace("size: 2", "size: 2.0").replace("epochs: 2", "epochs: 2.0"));
        assertEquals(parse(YAML).model(), written.model());
        assertEquals("cfg.yaml:25:13: classifier.network.outputLayer.size: expected a positive integer, got the number"
                + " 2.5", error(YAML.replace("size: 2", "size: 2.5")));
    }

    /** The reference README's MNIST dense config, as written there (including its trailing comma). */
    @Test
    void referenceReadmeDenseJsonLoadsUnchanged() throws IOException {
        ModelSpec model = parse(resource("reference-mnist-dense.json")).model();
        assertEquals(10, model.classes().size());
        assertEquals("7", model.classes().get(7));
        assertEquals(new Shape(784, 1, 1), model.inputShape());
        assertEquals(0, model.data().normalization().min());
        assertEquals(255, model.data().normalization().max());
        assertEquals(512, model.dataLoader().fetchSize());
        assertEquals(30, model.network().hyperparams().epochs());
        assertEquals(1024, model.network().hyperparams().batchSize());
        assertEquals(32, model.network().hyperparams().miniBatchSize());
        assertEquals(List.of(new DenseLayerSpec(320, 0.1, 1.0, 0.0), new DenseLayerSpec(64, 0.1, 1.0, 0.0)),
                model.network().hiddenLayers());
        assertEquals(10, model.network().outputLayer().size());
        assertEquals(0.1, model.network().outputLayer().learnRate());
    }

    /** The reference README's cat/dog CNN config. */
    @Test
    void referenceReadmeCatDogJsonLoadsUnchanged() throws IOException {
        ModelSpec model = parse(resource("reference-catdog.json")).model();
        assertEquals(List.of("cat", "dog"), model.classes());
        assertEquals(new Shape(100, 100, 3), model.inputShape());
        NetworkSpec network = model.network();
        assertEquals(List.of(new ConvolutionalLayerSpec(32, 3, 3, 0.01), new MaxPoolingLayerSpec(2, 2),
                new ConvolutionalLayerSpec(64, 4, 4, 0.01), new MaxPoolingLayerSpec(2, 2),
                new DenseLayerSpec(64, 0.01, 1.0, 0.0)), network.hiddenLayers());
        assertEquals(2, network.outputLayer().size());
        assertEquals(new Shape(23, 23, 64), network.shapes(model.inputShape()).get(3));
    }

    @Test
    void jsonWithTabsAndAnOutputLayerTypeIsRead() {
        String json = "{\n\t\"data\": {\"classes\": [\"a\", \"b\"], \"shape\": [2, 2, 1],"
                + " \"normalization\": {\"min\": 0, \"max\": 1}},\n\t\"dataLoader\": {\"fetchSize\": 1},\n"
                + "\t\"classifier\": {\"network\": {\"hyperparams\": {\"epochs\": 1, \"batchSize\": 1, \"miniBatchSize\": 1},"
                + " \"hiddenLayers\": [{\"type\": \"dense\", \"size\": 2, \"learnRate\": 1}],"
                + " \"outputLayer\": {\"type\": \"output\", \"size\": 2, \"learnRate\": 1}}}\n}\n";
        assertEquals(2, parse(json).model().network().outputLayer().size());
    }

    @Test
    void shippedExampleConfigsAndInitTemplatesLoad() throws IOException {
        Path root = Home.root().orElseThrow();
        for (String name : List.of("mnist-dense.yaml", "mnist-cnn.yaml")) {
            Path file = root.resolve("richard-examples/configs").resolve(name);
            TrainingConfig config = ConfigReader.read(file);
            Path data = config.training().data().orElseThrow();
            assertTrue(Files.isDirectory(data), data + " should be the shipped MNIST subset");
            assertTrue(Files.exists(data.resolve("train-images-idx3-ubyte.gz")));
            Examples.Kind kind = name.contains("cnn") ? Examples.Kind.cnn : Examples.Kind.dense;
            TrainingConfig template = ConfigReader.parse(InitCommand.template(kind, "../data/mnist"), name,
                    file.toAbsolutePath().getParent());
            assertEquals(template.model(), config.model(), name + " should match `richard init " + kind + "`");
            assertEquals(template.training(), config.training());
        }
        for (Examples.Kind kind : Examples.Kind.values()) {
            TrainingConfig config = parse(InitCommand.template(kind, "mnist"));
            assertEquals(10, config.model().classes().size());
            assertEquals(Path.of("/base/mnist"), config.training().data().orElseThrow());
            ModelSpec fromJson = parse(InitCommand.json(InitCommand.template(kind, "mnist"))).model();
            assertEquals(config.model(), fromJson);
        }
    }

    /**
     * The example that passes 99 % on full MNIST (docs/performance.md) is mnist-cnn.yaml's network trained with Adam,
     * softmax and cross-entropy, a cosine schedule, shuffling and early stopping: the same layers, other rates.
     */
    @Test
    void theAdamExampleIsTheCnnExampleWithAdamSoftmaxACosineScheduleAndEarlyStopping() throws IOException {
        Path configs = Home.root().orElseThrow().resolve("richard-examples/configs");
        TrainingConfig adam = ConfigReader.read(configs.resolve("mnist-cnn-adam.yaml"));
        TrainingConfig cnn = ConfigReader.read(configs.resolve("mnist-cnn.yaml"));
        NetworkSpec network = adam.model().network();
        assertEquals(new OptimizerSpec.Adam(), network.optimizer());
        assertEquals(new ScheduleSpec.Cosine(0), network.schedule());
        assertEquals(new Hyperparams(6, 60000, 32), network.hyperparams());
        assertEquals(OutputLayerSpec.SOFTMAX, network.outputLayer().activation());
        assertEquals(OutputLayerSpec.CROSS_ENTROPY, network.outputLayer().cost());
        assertEquals(cnn.model().network().hiddenLayers().stream().map(LayerSpec::describe).toList(),
                network.hiddenLayers().stream().map(LayerSpec::describe).toList());
        assertEquals(0.001, network.outputLayer().learnRate());
        assertEquals(java.util.Optional.of(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY)),
                adam.training().earlyStopping());
        assertTrue(adam.training().shuffle());
    }

    @Test
    void trainingSectionIsReadAndPathsResolvedAgainstTheConfigFolder() throws IOException {
        Path file = dir.resolve("sub/cfg.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, YAML + "training:\n  data: ../data/train.csv\n  test: /abs/test.csv\n  seed: 7\n"
                + "  shuffle: true\n  resize: true\n  limit: 100\n");
        TrainingOptions training = ConfigReader.read(file).training();
        assertEquals(dir.resolve("data/train.csv").toAbsolutePath(), training.data().orElseThrow());
        assertEquals(Path.of("/abs/test.csv"), training.test().orElseThrow());
        assertEquals(7, training.seed());
        assertTrue(training.shuffle());
        assertTrue(training.resize());
        assertEquals(100, training.limit().getAsInt());
    }

    @Test
    void classLabelsWrittenAsBareNumbersAreText() {
        TrainingConfig config = parse(YAML.replace("classes: [a, b]", "classes: [0, 1]"));
        assertEquals(List.of("0", "1"), config.model().classes());
    }

    @Test
    void referenceGpuKeyIsIgnoredWithAWarning() {
        TrainingConfig config = parse(YAML.replace("    hyperparams:", "    gpu:\n      maxWorkgroupSize: 64\n    hyperparams:"));
        assertEquals(1, config.warnings().size());
        assertTrue(config.warnings().get(0).startsWith("cfg.yaml:11:5: classifier.network.gpu is ignored"),
                config.warnings().get(0));
    }

    @Test
    void unknownKeyNamesTheKeyItsPositionAndTheNearestValidKey() {
        String message = error(YAML.replaceFirst("        learnRate: 0.5\n", "        learningRate: 0.5\n"));
        assertEquals("cfg.yaml:18:9: classifier.network.hiddenLayers[0].learningRate: unknown key 'learningRate';"
                + " did you mean 'learnRate'? (valid keys here: size, learnRate, learnRateDecay, dropoutRate)", message);
    }

    @Test
    void unknownTopLevelKeySuggestsTheTrainingSection() {
        String message = error(YAML + "trainig:\n  seed: 1\n");
        assertTrue(message.startsWith("cfg.yaml:27:1: trainig: unknown key 'trainig'; did you mean 'training'?"),
                message);
    }

    @Test
    void unknownKeyInTheTrainingSection() {
        String message = error(YAML + "training:\n  sead: 1\n");
        assertTrue(message.startsWith("cfg.yaml:28:3: training.sead: unknown key 'sead'; did you mean 'seed'?"),
                message);
    }

    @Test
    void stringWhereANumberIsExpected() {
        assertEquals("cfg.yaml:12:15: classifier.network.hyperparams.epochs: expected an integer >= 0,"
                + " got the string \"ten\"", error(YAML.replace("epochs: 2", "epochs: ten")));
        assertEquals("cfg.yaml:18:20: classifier.network.hiddenLayers[0].learnRate: expected a number,"
                + " got the string \"0.5\"", error(YAML.replace("learnRate: 0.5\n      - type", "learnRate: \"0.5\"\n      - type")));
    }

    @Test
    void fractionWhereAnIntegerIsExpectedIsNotTruncated() {
        assertEquals("cfg.yaml:17:15: classifier.network.hiddenLayers[0].size: expected a positive integer,"
                + " got the number 6.5", error(YAML.replace("size: 6", "size: 6.5")));
        assertEquals("cfg.yaml:3:14: data.shape[1]: expected a positive integer, got the number 2.5",
                error(YAML.replace("shape: [2, 2, 1]", "shape: [2, 2.5, 1]")));
    }

    @Test
    void booleanAndMappingWhereANumberIsExpected() {
        assertEquals("cfg.yaml:8:14: dataLoader.fetchSize: expected a positive integer, got the boolean true",
                error(YAML.replace("fetchSize: 8", "fetchSize: true")));
        assertTrue(error(YAML.replace("    hiddenLayers:\n", "    hiddenLayers: {}\n    unused:\n"))
                .contains("classifier.network.hiddenLayers: expected a list of layers, got a mapping"));
    }

    @Test
    void missingRequiredKeyNamesTheKeyAndWhatWasExpected() {
        assertEquals("cfg.yaml:11:5: classifier.network.hyperparams: missing required key 'batchSize';"
                + " expected a positive integer", error(YAML.replace("      batchSize: 100\n", "")));
        assertEquals("cfg.yaml:1:1: missing required key 'dataLoader'; expected a mapping with fetchSize",
                error(YAML.replace("dataLoader:\n  fetchSize: 8\n", "")));
        assertEquals("cfg.yaml:24:5: classifier.network.outputLayer: missing required key 'learnRate';"
                + " expected a number", error(YAML.replace("      size: 2\n      learnRate: 0.5\n", "      size: 2\n")));
    }

    @Test
    void nullValueIsAnError() {
        assertEquals("cfg.yaml:23:9: classifier.network.hiddenLayers[1].dropoutRate: no value (null);"
                + " expected a number, or leave the key out", error(YAML.replace("dropoutRate: 0.0", "dropoutRate:")));
        assertTrue(error(YAML + "training:\n").startsWith("cfg.yaml:27:1: training: no value (null)"));
    }

    @Test
    void invalidValuesAreReportedAtTheKeyTheyAreAbout() {
        assertEquals("cfg.yaml:17:15: classifier.network.hiddenLayers[0].size: dense layer: size must be a positive"
                + " integer, got 0", error(YAML.replace("size: 6", "size: 0")));
        assertEquals("cfg.yaml:23:22: classifier.network.hiddenLayers[1].dropoutRate: dense layer: dropoutRate must"
                + " be in [0, 1), got 1.5", error(YAML.replace("dropoutRate: 0.0", "dropoutRate: 1.5")));
        assertTrue(error(YAML.replace("max: 10", "max: 0")).startsWith("cfg.yaml:5:10: data.normalization.min: "),
                error(YAML.replace("max: 10", "max: 0")));
        assertEquals("cfg.yaml:3:10: data.shape: a shape must be an array of 3 integers [W, H, D], got 2 value(s)",
                error(YAML.replace("shape: [2, 2, 1]", "shape: [2, 2]")));
        assertTrue(error(YAML.replace("min: 0", "min: 0\n    mean: 3")).contains("unknown key 'mean'"));
    }

    @Test
    void networkThatDoesNotFitTheDataNamesTheLayer() {
        assertEquals("cfg.yaml:25:13: classifier.network.outputLayer.size: size is 2 but there are 3 classes;"
                + " the output layer needs one neuron per class", error(YAML.replace("[a, b]", "[a, b, c]")));
        String kernel = error(YAML.replace("      - type: dense\n        size: 6\n        learnRate: 0.5\n",
                "      - type: convolutional\n        depth: 2\n        kernelSize: [3, 3]\n        learnRate: 0.5\n"));
        assertTrue(kernel.startsWith("cfg.yaml:16:9: classifier.network.hiddenLayers[0]: convolutional layer: kernel"),
                kernel);
    }

    @Test
    void unknownLayerTypeSuggestsTheNearest() {
        assertEquals("cfg.yaml:16:15: classifier.network.hiddenLayers[0].type: unknown layer type 'conv'; did you"
                + " mean 'convolutional'? (expected one of dense, convolutional, maxPooling)",
                error(YAML.replaceFirst("type: dense", "type: conv")));
        assertEquals("cfg.yaml:17:9: classifier.network.hiddenLayers[0]: missing key 'type'; expected one of dense,"
                + " convolutional, maxPooling", error(YAML.replaceFirst("      - type: dense\n        size: 6",
                "      -\n        size: 6")));
        assertTrue(error(YAML.replace("    outputLayer:\n", "    outputLayer:\n      type: dense\n"))
                .contains("outputLayer.type: the output layer's type is 'dense'; it must be 'output'"));
    }

    @Test
    void duplicateKeyIsAnError() {
        assertEquals("cfg.yaml:13:7: classifier.network.hyperparams.epochs: duplicate key 'epochs' (first written"
                + " at line 12)", error(YAML.replace("      batchSize: 100", "      epochs: 3\n      batchSize: 100")));
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() {
        String yaml = error("data:\n  classes: [a, b\n  shape: [1, 1, 1]\n");
        assertTrue(yaml.startsWith("cfg.yaml:") && yaml.contains("YAML syntax error"), yaml);
        String json = error("{\n  \"data\": {\"classes\": [\"a\" \"b\"]}\n}\n");
        assertTrue(json.startsWith("cfg.yaml:2:") && json.contains("JSON syntax error"), json);
        assertTrue(error("").contains("the config is empty"));
        assertEquals("cfg.yaml:1:1: expected a mapping with the keys data, dataLoader, classifier (and optionally"
                + " training, spark), got a list", error("- a\n- b\n"));
    }

    @Test
    void trainingSectionValuesAreChecked() {
        assertTrue(error(YAML + "training:\n  limit: 0\n").startsWith("cfg.yaml:28:10: training.limit: "));
        assertEquals("cfg.yaml:28:12: training.shuffle: expected true or false, got the string \"sometimes\"",
                error(YAML + "training:\n  shuffle: sometimes\n"));
        assertEquals("cfg.yaml:28:9: training.seed: expected an integer, got the number 1.5",
                error(YAML + "training:\n  seed: 1.5\n"));
    }

    @Test
    void missingFileIsAConfigError() {
        String message = assertThrows(ConfigException.class, () -> ConfigReader.read(dir.resolve("nope.yaml")))
                .getMessage();
        assertTrue(message.endsWith("nope.yaml: no such config file"), message);
    }

    @Test
    void suggestionsAreNearestByEditDistance() {
        assertEquals("learnRate", Suggest.nearest("learnrate", List.of("size", "learnRate")).orElseThrow());
        assertEquals("miniBatchSize", Suggest.nearest("minibatch", List.of("batchSize", "miniBatchSize")).orElseThrow());
        assertFalse(Suggest.nearest("zzzzzz", List.of("size", "depth")).isPresent());
        assertEquals(3, Suggest.levenshtein("kitten", "sitting"));
    }
}
