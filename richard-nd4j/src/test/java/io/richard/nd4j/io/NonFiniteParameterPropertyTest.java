package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Parameter;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.TrainingState;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A NaN or an infinity in any parameter of any model file (model archive, checkpoint, the reference's network
 * file) is refused on load with one line naming the file, the layer, the parameter and the element: such a network
 * would predict label 0 with NaN outputs and evaluate at the accuracy of chance without a word. Generated: the
 * network (dense or convolutional), the file kind, the parameter, the element, the value (NaN, +∞, −∞) and how many
 * elements are bad.
 */
class NonFiniteParameterPropertyTest {

    private static final Path DIR;
    private static final AtomicInteger FILES = new AtomicInteger();

    static {
        try {
            DIR = Files.createTempDirectory("non-finite");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.walk(DIR)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("non-finite parameters: " + FILES.get() + " model files with NaN or infinite values,"
                + " all refused naming the layer and parameter");
    }

    @Property(tries = 60, seed = "20261206")
    void aNonFiniteParameterIsRefusedNamingTheLayerAndParameter(@ForAll boolean convolutional,
                                                                @ForAll @IntRange(max = 2) int fileKind,
                                                                @ForAll @IntRange(max = 1000) int parameterPick,
                                                                @ForAll @IntRange(max = 100_000) int elementPick,
                                                                @ForAll @IntRange(max = 2) int valueKind,
                                                                @ForAll @IntRange(min = 1, max = 3) int howMany)
            throws IOException {
        ModelSpec model = convolutional ? IoFixtures.convModel() : IoFixtures.denseModel();
        Network network = Network.create(model, parameterPick);
        List<Layer> layers = network.layers();
        List<int[]> parameters = new java.util.ArrayList<>();                  // (layer, parameter) pairs
        for (int l = 0; l < layers.size(); l++) {
            for (int p = 0; p < layers.get(l).parameters().size(); p++) {
                parameters.add(new int[] {l, p});
            }
        }
        int[] chosen = parameters.get(parameterPick % parameters.size());
        Parameter parameter = layers.get(chosen[0]).parameters().get(chosen[1]);
        INDArray value = parameter.value();
        int element = (int) (elementPick % value.length());
        double bad = switch (valueKind) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            default -> Double.NEGATIVE_INFINITY;
        };
        int first = element;
        for (int k = 0; k < howMany; k++) {                                     // the first bad element in C order
            int at = (int) ((element + 7L * k) % value.length());
            first = Math.min(first, at);
            value.putScalar(indexOf(at, value.shape()), bad);
        }
        // the value at the first bad element: the one written there (elements may repeat)
        double firstValue = value.getDouble(indexOf(first, value.shape()));

        Path file = DIR.resolve("m" + FILES.incrementAndGet() + switch (fileKind) {
            case 0 -> ".richard";
            case 1 -> ".checkpoint";
            default -> ".net";
        });
        switch (fileKind) {
            case 0 -> ModelArchive.save(file, network, Map.of());
            case 1 -> Checkpoint.save(file, network, new TrainingState(1, 2, 20, 1.5, OptionalLong.empty(), "sgd",
                    Map.of()), Map.of());
            default -> ReferenceNetworkFile.save(file, network);
        }

        String layerName = chosen[0] == layers.size() - 1 ? "outputLayer (output)"
                : "hiddenLayers[" + chosen[0] + "] (" + model.network().layers().get(chosen[0]).type() + ")";
        String expected = layerName + " parameter " + parameter.name() + " holds "
                + (Double.isNaN(firstValue) ? "NaN" : firstValue > 0 ? "+infinity" : "-infinity") + " at "
                + Arrays.toString(indexOf(first, value.shape()));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.load(file));
        assertMessage(e, file, expected);
        if (fileKind == 1) {
            assertMessage(assertThrows(ModelFormatException.class, () -> Checkpoint.load(file)), file, expected);
        }
        if (fileKind == 2) {
            assertMessage(assertThrows(ModelFormatException.class, () -> ReferenceNetworkFile.load(file)), file,
                    expected);
        }
    }

    private static void assertMessage(ModelFormatException e, Path file, String expected) {
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString()), "names the file first: " + message);
        assertTrue(message.contains(expected), "names the layer, parameter and element (" + expected + "): "
                + message);
        assertEquals(-1, message.indexOf('\n'), "one line: " + message);
    }

    /** The C-order index of the {@code flat}-th element of an array of {@code shape}. */
    private static long[] indexOf(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
