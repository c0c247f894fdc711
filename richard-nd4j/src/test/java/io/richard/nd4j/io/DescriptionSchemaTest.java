package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.ScheduleSpec;
import org.junit.jupiter.api.Test;

/** The words for each key of a model description come from the description records themselves. */
class DescriptionSchemaTest {

    @Test
    void everyKeyOfEveryRecordIsDescribed() {
        for (JsonSubTypes.Type layer : LayerSpec.class.getAnnotation(JsonSubTypes.class).value()) {
            for (String key : DescriptionReader.knownKeys(layer.value())) {
                assertNotEquals("a value", DescriptionReader.expected("classifier.network.hiddenLayers[0]." + key),
                        layer.name() + "." + key + " has no @JsonPropertyDescription");
            }
        }
        for (JsonSubTypes.Type optimizer : OptimizerSpec.class.getAnnotation(JsonSubTypes.class).value()) {
            for (String key : DescriptionReader.knownKeys(optimizer.value())) {
                assertNotEquals("a value", DescriptionReader.expected("classifier.network.optimizer." + key),
                        optimizer.name() + "." + key + " has no @JsonPropertyDescription");
            }
        }
        for (JsonSubTypes.Type schedule : ScheduleSpec.class.getAnnotation(JsonSubTypes.class).value()) {
            for (String key : DescriptionReader.knownKeys(schedule.value())) {
                assertNotEquals("a value", DescriptionReader.expected("classifier.network.schedule." + key),
                        schedule.name() + "." + key + " has no @JsonPropertyDescription");
            }
        }
        for (String section : DescriptionReader.knownKeys(ModelSpec.class)) {
            assertNotEquals("a value", DescriptionReader.expected(section), section);
        }
    }

    @Test
    void theWordsAreThoseMessagesHaveAlwaysUsed() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("", "a mapping with the keys data, dataLoader, classifier"),
                Map.entry("data", "a mapping with classes, shape and normalization"),
                Map.entry("data.classes", "a list of class labels, e.g. [\"cat\", \"dog\"]"),
                Map.entry("data.classes[2]", "a class label"),
                Map.entry("data.shape", "an array of 3 positive integers [W, H, D]"),
                Map.entry("data.shape[0]", "a positive integer"),
                Map.entry("data.normalization", "a mapping with min and max"),
                Map.entry("data.normalization.max", "a number"),
                Map.entry("dataLoader", "a mapping with fetchSize"),
                Map.entry("dataLoader.fetchSize", "a positive integer"),
                Map.entry("classifier", "a mapping with network"),
                Map.entry("classifier.network",
                        "a mapping with hyperparams, optimizer, schedule, hiddenLayers and outputLayer"),
                Map.entry("classifier.network.schedule", "a mapping with a type (step or cosine) and its keys"),
                Map.entry("classifier.network.schedule.type", "one of step, cosine"),
                Map.entry("classifier.network.schedule.gamma", "a number in (0, 1]"),
                Map.entry("classifier.network.optimizer", "a mapping with a type (sgd, momentum or adam) and its keys"),
                Map.entry("classifier.network.optimizer.type", "one of sgd, momentum, adam"),
                Map.entry("classifier.network.optimizer.beta2", "a number in [0, 1)"),
                Map.entry("classifier.network.optimizer.nesterov", "true or false"),
                Map.entry("classifier.network.hyperparams", "a mapping with epochs, batchSize and miniBatchSize"),
                Map.entry("classifier.network.hyperparams.epochs", "an integer >= 0"),
                Map.entry("classifier.network.hiddenLayers", "a list of layers"),
                Map.entry("classifier.network.hiddenLayers[1]",
                        "a layer: a mapping with a type (dense, convolutional or maxPooling) and its keys"),
                Map.entry("classifier.network.hiddenLayers[1].type", "one of dense, convolutional, maxPooling"),
                Map.entry("classifier.network.hiddenLayers[1].kernelSize", "an array of 2 positive integers [W, H]"),
                Map.entry("classifier.network.hiddenLayers[1].kernelSize[1]", "a positive integer"),
                Map.entry("classifier.network.hiddenLayers[0].dropoutRate", "a number"),
                Map.entry("classifier.network.outputLayer",
                        "a mapping with size, learnRate, learnRateDecay, activation and cost"),
                Map.entry("classifier.network.outputLayer.activation", "sigmoid or softmax"),
                Map.entry("classifier.network.outputLayer.cost", "quadratic or crossEntropy"),
                Map.entry("classifier.network.outputLayer.size", "a positive integer"));
        expected.forEach((path, words) -> assertEquals(words, DescriptionReader.expected(path), path));
    }

    @Test
    void theLayerTypesAreTheSubtypesLayerSpecDeclares() {
        assertEquals(List.of("dense", "convolutional", "maxPooling"), DescriptionSchema.hiddenLayerTypes());
    }
}
