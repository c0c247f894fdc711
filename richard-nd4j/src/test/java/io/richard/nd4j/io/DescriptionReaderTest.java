package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.richard.api.ConfigException;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.ScheduleSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.io.DescriptionReader.UnknownKeys;
import org.junit.jupiter.api.Test;

/** The one reading of a model description: the same leniency and the same located messages for every source. */
class DescriptionReaderTest {

    /** A description in the C++ program's layout: compact, sorted, no output type, a gpu key and a kept key. */
    private static final String CPP = "{\"classifier\":{\"network\":{\"gpu\":{\"maxWorkgroupSize\":64},\"hiddenLayers\":"
            + "[{\"dropoutRate\":0.0,\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":3,\"type\":\"dense\"}],"
            + "\"hyperparams\":{\"batchSize\":10,\"epochs\":1,\"miniBatchSize\":2},\"outputLayer\":{\"learnRate\":0.5,"
            + "\"learnRateDecay\":1.0,\"size\":2}}},\"data\":{\"classes\":[\"a\",\"b\"],\"normalization\":{\"max\":10,"
            + "\"min\":0},\"shape\":[4,1,1]},\"dataLoader\":{\"fetchSize\":7},\"note\":\"kept by the C++ program\"}";

    private static ModelSpec read(String json, UnknownKeys unknown, List<String> notes) {
        return DescriptionReader.parseJson(json, "src").model("", Set.of(), unknown, notes);
    }

    @Test
    void theCppLayoutReadsWithNotesForWhatIsIgnored() {
        List<String> notes = new ArrayList<>();
        ModelSpec model = read(CPP, UnknownKeys.IGNORE, notes);
        assertEquals(new OutputLayerSpec(2, 0.5), model.network().outputLayer());
        assertEquals(List.of("src:1:27: classifier.network.gpu is ignored: it tunes the reference's Vulkan GPU path",
                "src:1:" + (CPP.indexOf("\"note\"") + 1) + ": note: unknown key 'note' ignored"), notes);
    }

    @Test
    void aConfigRejectsWhatANetworkFileIgnores() {
        String message = assertThrows(ConfigException.class, () -> read(CPP, UnknownKeys.REJECT, new ArrayList<>()))
                .getMessage();
        assertEquals("src:1:" + (CPP.indexOf("\"note\"") + 1) + ": note: unknown key 'note' (valid keys here:"
                + " classifier, data, dataLoader)", message);
    }

    /** nlohmann::json, which the C++ program reads configs with, takes 3.0 where it wants an integer: so do we. */
    @Test
    void wholeNumbersWrittenWithAFractionAreIntegersAsInTheCppProgram() {
        String written = CPP.replace("\"size\":3", "\"size\":3.0").replace("\"epochs\":1", "\"epochs\":1.0")
                .replace("\"fetchSize\":7", "\"fetchSize\":7e0").replace("\"max\":10", "\"max\":10.0");
        assertEquals(read(CPP, UnknownKeys.IGNORE, new ArrayList<>()), read(written, UnknownKeys.IGNORE,
                new ArrayList<>()));
    }

    @Test
    void errorsAreTheSameWhateverTheUnknownKeysPolicy() {
        String bad = CPP.replace("\"size\":3", "\"size\":\"3\"");
        int column = bad.indexOf("\"3\"") + 1;
        for (UnknownKeys unknown : UnknownKeys.values()) {
            assertEquals("src:1:" + column + ": classifier.network.hiddenLayers[0].size: expected a positive integer,"
                    + " got the string \"3\"", assertThrows(ConfigException.class,
                    () -> read(bad, unknown, new ArrayList<>())).getMessage(), unknown.name());
        }
        String fraction = CPP.replace("\"size\":2}", "\"size\":2.5}");
        assertEquals("src:1:" + (fraction.indexOf("2.5") + 1) + ": classifier.network.outputLayer.size: expected a"
                + " positive integer, got the number 2.5", assertThrows(ConfigException.class,
                () -> read(fraction, UnknownKeys.IGNORE, new ArrayList<>())).getMessage());
    }

    @Test
    void aDescriptionInsideAnotherDocumentIsLocatedThere() {
        String archive = "{\"format\": \"x\",\n \"model\": " + CPP.replace(",\"note\":\"kept by the C++ program\"", "")
                .replace("\"size\":3", "\"size\":0") + "}";
        String message = assertThrows(ConfigException.class, () -> DescriptionReader.parseJson(archive, "a.zip")
                .model("model", Set.of(), UnknownKeys.REJECT, new ArrayList<>())).getMessage();
        assertEquals("a.zip:2:" + (archive.indexOf("\"size\":0") - archive.indexOf('\n') + 7) + ": model.classifier"
                + ".network.hiddenLayers[0].size: dense layer: size must be a positive integer, got 0", message);
    }

    /** A config with {@code OPTIMIZER} standing where an optimizer section goes (after hyperparams). */
    private static final String WITH_OPTIMIZER = CPP.replace("\"gpu\":{\"maxWorkgroupSize\":64},", "")
            .replace(",\"note\":\"kept by the C++ program\"", "")
            .replace("\"hyperparams\":", "OPTIMIZER\"hyperparams\":");

    private static String optimizerProblem(String section) {
        String json = WITH_OPTIMIZER.replace("OPTIMIZER", section);
        String message = assertThrows(ConfigException.class, () -> read(json, UnknownKeys.REJECT, new ArrayList<>()))
                .getMessage();
        return message.substring(message.indexOf(": classifier") + 2);
    }

    @Test
    void theOptimizerSectionIsReadAsStrictlyAsALayer() {
        assertEquals(OptimizerSpec.SGD, read(WITH_OPTIMIZER.replace("OPTIMIZER", ""), UnknownKeys.REJECT,
                new ArrayList<>()).network().optimizer());
        assertEquals(new OptimizerSpec.Momentum(0.8, true), read(WITH_OPTIMIZER.replace("OPTIMIZER",
                "\"optimizer\":{\"type\":\"momentum\",\"momentum\":0.8,\"nesterov\":true},"), UnknownKeys.REJECT,
                new ArrayList<>()).network().optimizer());
        assertEquals(new OptimizerSpec.Adam(0.9, 0.99, 1e-8, 0), read(WITH_OPTIMIZER.replace("OPTIMIZER",
                "\"optimizer\":{\"type\":\"adam\",\"beta2\":0.99},"), UnknownKeys.REJECT, new ArrayList<>())
                .network().optimizer());
        assertEquals("classifier.network.optimizer.type: unknown optimizer type 'adma'; did you mean 'adam'? (expected"
                + " one of sgd, momentum, adam)", optimizerProblem("\"optimizer\":{\"type\":\"adma\"},"));
        assertEquals("classifier.network.optimizer: missing key 'type'; expected one of sgd, momentum, adam",
                optimizerProblem("\"optimizer\":{\"beta1\":0.5},"));
        assertEquals("classifier.network.optimizer.beta1: unknown key 'beta1' (valid keys here: momentum, nesterov)",
                optimizerProblem("\"optimizer\":{\"type\":\"momentum\",\"beta1\":0.5},"));
        assertEquals("classifier.network.optimizer.momentum: unknown key 'momentum' (no key but type is valid here)",
                optimizerProblem("\"optimizer\":{\"type\":\"sgd\",\"momentum\":0.5},"));
        assertEquals("classifier.network.optimizer.beta1: beta1 must be a number in [0, 1), got 1.5",
                optimizerProblem("\"optimizer\":{\"type\":\"adam\",\"beta1\":1.5},"));
        assertEquals("classifier.network.optimizer.epsilon: expected a number > 0, got the string \"x\"",
                optimizerProblem("\"optimizer\":{\"type\":\"adam\",\"epsilon\":\"x\"},"));
        assertEquals("classifier.network.optimizer: expected a mapping with a type (sgd, momentum or adam) and its"
                + " keys, got the integer 3", optimizerProblem("\"optimizer\":3,"));
    }

    /** The reference's SGD is the default: a description says nothing of it, so a reference config stays one. */
    @Test
    void theDefaultOptimizerIsNotWrittenAndOthersAre() {
        ModelSpec model = read(WITH_OPTIMIZER.replace("OPTIMIZER", "\"optimizer\":{\"type\":\"sgd\"},"),
                UnknownKeys.REJECT, new ArrayList<>());
        assertEquals(false, ModelJson.toTree(model).path("classifier").path("network").has("optimizer"));
        ModelSpec adam = model.withNetwork(model.network().withOptimizer(new OptimizerSpec.Adam()));
        assertEquals("{\"type\":\"adam\",\"beta1\":0.9,\"beta2\":0.999,\"epsilon\":1.0E-8,\"weightDecay\":0.0}",
                ModelJson.toTree(adam).path("classifier").path("network").path("optimizer").toString());
        assertEquals(adam, read(ModelJson.toTree(adam).toString(), UnknownKeys.REJECT, new ArrayList<>()));
    }

    private static String outputProblem(String keys) {
        String json = WITH_OPTIMIZER.replace("OPTIMIZER", "").replace("\"outputLayer\":{", "\"outputLayer\":{" + keys);
        String message = assertThrows(ConfigException.class, () -> read(json, UnknownKeys.REJECT, new ArrayList<>()))
                .getMessage();
        return message.substring(message.indexOf(": classifier") + 2);
    }

    @Test
    void theOutputActivationAndCostAreReadAndNonsenseIsRefused() {
        ModelSpec softmax = read(WITH_OPTIMIZER.replace("OPTIMIZER", "").replace("\"outputLayer\":{",
                "\"outputLayer\":{\"activation\":\"softmax\",\"cost\":\"crossEntropy\","), UnknownKeys.REJECT,
                new ArrayList<>());
        assertEquals(new OutputLayerSpec(2, 0.5, "softmax", "crossEntropy"), softmax.network().outputLayer());
        assertEquals("{\"type\":\"output\",\"size\":2,\"learnRate\":0.5,\"learnRateDecay\":1.0,"
                + "\"activation\":\"softmax\",\"cost\":\"crossEntropy\"}",
                ModelJson.toTree(softmax).path("classifier").path("network").path("outputLayer").toString());
        ModelSpec reference = read(WITH_OPTIMIZER.replace("OPTIMIZER", "").replace("\"outputLayer\":{",
                "\"outputLayer\":{\"activation\":\"sigmoid\",\"cost\":\"quadratic\","), UnknownKeys.REJECT,
                new ArrayList<>());
        assertEquals(new OutputLayerSpec(2, 0.5), reference.network().outputLayer());
        assertEquals("{\"type\":\"output\",\"size\":2,\"learnRate\":0.5,\"learnRateDecay\":1.0}",
                ModelJson.toTree(reference).path("classifier").path("network").path("outputLayer").toString(),
                "the defaults are not written: the reference's description stays its own");
        assertEquals("classifier.network.outputLayer.activation: output layer: activation softmax with cost quadratic"
                + " is not offered: softmax outputs are probabilities that sum to 1, which the cross-entropy cost"
                + " measures (cost: crossEntropy); the quadratic cost goes with the sigmoid, as in the reference",
                outputProblem("\"activation\":\"softmax\","));
        assertEquals("classifier.network.outputLayer.activation: output layer: activation must be sigmoid or softmax,"
                + " got 'relu'", outputProblem("\"activation\":\"relu\","));
        assertEquals("classifier.network.outputLayer.cost: output layer: cost must be quadratic or crossEntropy, got"
                + " 'mse'", outputProblem("\"cost\":\"mse\","));
        assertEquals("classifier.network.outputLayer.cost: expected quadratic or crossEntropy, got the integer 2",
                outputProblem("\"cost\":2,"));
    }

    @Test
    void theScheduleSectionIsReadAsStrictly() {
        ModelSpec step = read(WITH_OPTIMIZER.replace("OPTIMIZER", "\"schedule\":{\"type\":\"step\",\"every\":2,"
                + "\"gamma\":0.5},"), UnknownKeys.REJECT, new ArrayList<>());
        assertEquals(new ScheduleSpec.Step(2, 0.5), step.network().schedule());
        assertEquals("{\"type\":\"step\",\"every\":2,\"gamma\":0.5}",
                ModelJson.toTree(step).path("classifier").path("network").path("schedule").toString());
        assertEquals(null, read(WITH_OPTIMIZER.replace("OPTIMIZER", ""), UnknownKeys.REJECT, new ArrayList<>())
                .network().schedule(), "none by default, and none written");
        assertEquals(new ScheduleSpec.Cosine(0), read(WITH_OPTIMIZER.replace("OPTIMIZER",
                "\"schedule\":{\"type\":\"cosine\"},"), UnknownKeys.REJECT, new ArrayList<>()).network().schedule());
        assertEquals("classifier.network.schedule.type: unknown schedule type 'cosin'; did you mean 'cosine'?"
                + " (expected one of step, cosine)", optimizerProblem("\"schedule\":{\"type\":\"cosin\"},"));
        assertEquals("classifier.network.schedule: missing required key 'every'; expected a positive integer",
                optimizerProblem("\"schedule\":{\"type\":\"step\",\"gamma\":0.5},"));
        assertEquals("classifier.network.schedule.gamma: gamma must be a number in (0, 1], got 2.0",
                optimizerProblem("\"schedule\":{\"type\":\"step\",\"every\":1,\"gamma\":2},"));
        assertEquals("classifier.network.schedule.minFactor: unknown key 'minFactor' (valid keys here: every, gamma)",
                optimizerProblem("\"schedule\":{\"type\":\"step\",\"every\":1,\"gamma\":0.5,\"minFactor\":0},"));
    }
}
