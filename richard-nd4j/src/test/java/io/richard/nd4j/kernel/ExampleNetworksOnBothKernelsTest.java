package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Network;
import io.richard.nd4j.Trainer;
import io.richard.nd4j.data.InMemoryDataSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole training runs of both example networks on the plain and on the fast kernels end with the same parameters,
 * costs and outputs: 1e-5 in float32, 1e-12 in float64 (relative to the values' size, at least 1). Four
 * mini-batches, the last one partial, so every shape a training epoch meets is met.
 */
class ExampleNetworksOnBothKernelsTest {

    private static final Shape MNIST = new Shape(28, 28, 1);
    private static final int SAMPLES = 3 * 32 + 11;

    static Stream<Arguments> networks() {
        NetworkSpec dense = NetworkSpec.builder().hyperparams(1, SAMPLES, 32)
                .dense(320, 0.1).dense(64, 0.1).output(10, 0.1);                     // configs/mnist-dense.yaml
        NetworkSpec cnn = NetworkSpec.builder().hyperparams(1, SAMPLES, 32)          // configs/mnist-cnn.yaml
                .convolutional(32, 3, 3, 0.01).maxPooling(2, 2).convolutional(64, 4, 4, 0.01).maxPooling(2, 2)
                .dense(64, 0.01).output(10, 0.01);
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type -> Stream.of(
                Arguments.of("dense", dense, type), Arguments.of("cnn", cnn, type)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("networks")
    void plainAndFastKernelsTrainTheSameNetwork(String name, NetworkSpec spec, DataType type) {
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        Network plain = Network.create(Network.defaultModel(MNIST, spec), 0, type, Kernels.plain());
        Network fast = Network.create(Network.defaultModel(MNIST, spec), 0, type, Kernels.fast());
        InMemoryDataSet data = data().castTo(type);
        List<INDArray> initial = parameters(plain).stream().map(q -> q.value().dup()).toList();

        List<EpochResult> plainCosts = Trainer.builder(plain).build().fit(data);
        List<EpochResult> fastCosts = Trainer.builder(fast).build().fit(data);

        assertEquals(plainCosts.get(0).meanCost(), fastCosts.get(0).meanCost(),
                tolerance * Math.max(1, plainCosts.get(0).meanCost()), name + " mean cost");
        List<Parameter> p = parameters(plain);
        List<Parameter> f = parameters(fast);
        for (int i = 0; i < p.size(); i++) {
            close(p.get(i).value(), f.get(i).value(), tolerance, name + " parameter " + i + " " + p.get(i).name());
            assertTrue(!p.get(i).value().equalsWithEps(initial.get(i), 1e-9), name + " parameter " + i + " moved");
        }
        close(plain.output(data.features()), fast.output(data.features()), tolerance, name + " outputs");
    }

    private static void close(INDArray expected, INDArray actual, double tolerance, String what) {
        double[] e = expected.dup('c').data().asDouble();
        double[] a = actual.dup('c').data().asDouble();
        assertEquals(e.length, a.length, what + ": size");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tolerance * Math.max(1, Math.abs(e[i])),
                    what + "[" + i + "]: plain " + e[i] + ", fast " + a[i]);
        }
    }

    private static List<Parameter> parameters(Network network) {
        List<Parameter> all = new ArrayList<>();
        network.layers().forEach(layer -> all.addAll(layer.parameters()));
        return all;
    }

    /** Sparse random images in [0, 1), as digits are mostly background. */
    private static InMemoryDataSet data() {
        Random random = new Random(9);
        float[][] samples = new float[SAMPLES][MNIST.size()];
        int[] labels = new int[SAMPLES];
        for (int n = 0; n < SAMPLES; n++) {
            for (int i = 0; i < MNIST.size(); i++) {
                samples[n][i] = random.nextFloat() < 0.2f ? random.nextFloat() : 0f;
            }
            labels[n] = n % 10;
        }
        return InMemoryDataSet.of(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), MNIST, samples, labels);
    }
}
