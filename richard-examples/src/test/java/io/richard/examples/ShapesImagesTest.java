package io.richard.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.ImageFolderDataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated image-folder data set and the config that trains on it. */
class ShapesImagesTest {

    private static final Path CONFIG = Path.of("configs", "shapes-images.yaml");
    private static final Path SHIPPED = Path.of("data", "shapes");

    @Test
    void theShippedImagesAreWhatTheGeneratorWrites(@TempDir Path dir) throws IOException {
        GenerateShapes.generate(dir, 200, 50);
        List<Path> expected = files(dir);
        List<Path> shipped = files(SHIPPED);
        assertEquals(expected, shipped, "regenerate with GenerateShapes " + SHIPPED);
        assertEquals(500, shipped.size());
        long bytes = 0;
        for (Path file : expected) {
            byte[] content = Files.readAllBytes(SHIPPED.resolve(file));
            assertArrayEquals(Files.readAllBytes(dir.resolve(file)), content, file.toString());
            bytes += content.length;
        }
        assertTrue(bytes < 1_000_000, "the shipped images should stay small: " + bytes + " bytes");
    }

    @Test
    void theConfigTrainsOnTheImageFolder() throws IOException {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(CONFIG.toFile());
        ObjectNode description = ((ObjectNode) config).deepCopy().without("training");   // richard's extension
        // the output layer's type may be left out, as in the reference (the richard command fills it in too)
        ((ObjectNode) description.at("/classifier/network/outputLayer")).put("type", "output");
        ModelSpec model = new ObjectMapper().treeToValue(description, ModelSpec.class);
        assertEquals(List.copyOf(GenerateShapes.CLASSES), model.classes());

        // training.data and training.test are relative to the config's folder, as the richard command reads them
        Path trainDir = CONFIG.getParent().resolve(config.at("/training/data").asText()).normalize();
        Path testDir = CONFIG.getParent().resolve(config.at("/training/test").asText()).normalize();
        assertEquals(SHIPPED.resolve("train"), trainDir);
        assertEquals(SHIPPED.resolve("test"), testDir);
        ImageFolderDataSet train = ImageFolderDataSet.load(trainDir, model.data());
        ImageFolderDataSet test = ImageFolderDataSet.load(testDir, model.data());
        assertEquals(400, train.size());
        assertEquals(100, test.size());

        Network network = Network.create(model, config.at("/training/seed").asLong());
        Trainer.builder(network).shuffle(config.at("/training/seed").asLong()).build().fit(train);
        Evaluation evaluation = network.evaluate(test, 50);
        System.out.println("shapes-images.yaml: test " + evaluation);
        assertTrue(evaluation.accuracy() >= 0.9, evaluation.toString());
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
