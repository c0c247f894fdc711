package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import io.richard.api.ConfigException;
import io.richard.api.Shape;
import io.richard.api.spec.LayerDifference;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training a loaded network further: {@link Network#copyWith} and {@link LayerDifference}. */
class CopyWithTest {

    /** [6, 5, 2] → conv 3 of 3×2 → max pool 2×2 → dense 5 → output 2, with the given learning rates. */
    private static ModelSpec model(double convRate, double denseRate, int denseSize, int kernelHeight) {
        NetworkSpec network = NetworkSpec.builder().hyperparams(1, 50, 5).convolutional(3, 3, kernelHeight, convRate)
                .maxPooling(2, 2).dense(denseSize, denseRate).output(2, 0.1);
        return ModelSpec.of(List.of("no", "yes"), new Shape(6, 5, 2), new Normalization(0, 1), network);
    }

    @Test
    void theCopyHasTheNewDescriptionAndItsOwnCopiesOfTheParameters() {
        Network trained = Network.create(model(0.05, 0.1, 5, 2), 3);
        ModelSpec next = model(0.5, 0.7, 5, 2);
        Network copy = trained.copyWith(next, 9);

        assertEquals(next, copy.model());
        assertEquals(0.7, copy.layers().get(2).spec().learnRate());
        assertEquals(9, copy.seed());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(trained.dataType(), 4, 60);
        assertEquals(trained.output(x), copy.output(x));
        for (int l = 0; l < trained.layers().size(); l++) {
            for (int p = 0; p < trained.layers().get(l).parameters().size(); p++) {
                INDArray original = trained.layers().get(l).parameters().get(p).value();
                INDArray copied = copy.layers().get(l).parameters().get(p).value();
                assertEquals(original, copied);
                copied.addi(1);                                   // training the copy leaves the original alone
                assertNotEquals(original, copied);
            }
        }
        assertEquals(trained.seed(), trained.copyWith(next).seed());
    }

    @Test
    void layersOrShapesThatDifferAreNamedWithBothValues() {
        Network trained = Network.create(model(0.05, 0.1, 5, 2), 3);

        LayerDifference size = LayerDifference.between(model(0.05, 0.1, 6, 2), trained.model()).orElseThrow();
        assertEquals(new LayerDifference(2, "classifier.network.hiddenLayers[2].size", "size", "6", "5"), size);
        String message = assertThrows(ConfigException.class, () -> trained.copyWith(model(0.05, 0.1, 6, 2)))
                .getMessage();
        assertTrue(message.startsWith("layer 2 (hiddenLayers[2]) size is 6 in the new description but 5 in this"
                + " network"), message);

        assertEquals(new LayerDifference(0, "classifier.network.hiddenLayers[0].kernelSize", "kernelSize", "[3, 4]",
                "[3, 2]"), LayerDifference.between(model(0.05, 0.1, 5, 4), trained.model()).orElseThrow());

        ModelSpec withoutPooling = ModelSpec.of(List.of("no", "yes"), new Shape(6, 5, 2), new Normalization(0, 1),
                NetworkSpec.builder().convolutional(3, 3, 2, 0.05).dense(5, 0.1).output(2, 0.1));
        assertEquals(new LayerDifference(1, "classifier.network.hiddenLayers[1].type", "type", "dense", "maxPooling"),
                LayerDifference.between(withoutPooling, trained.model()).orElseThrow());

        ModelSpec otherShape = ModelSpec.of(List.of("no", "yes"), new Shape(6, 7, 2), new Normalization(0, 1),
                model(0.05, 0.1, 5, 2).network());
        LayerDifference shape = LayerDifference.between(otherShape, trained.model()).orElseThrow();
        assertEquals("the input shape data.shape", shape.where());
        assertEquals("[6, 7, 2]", shape.value());

        assertTrue(LayerDifference.between(model(0.9, 0.9, 5, 2), trained.model()).isEmpty(),
                "learning rates are not layers or shapes");
    }
}
