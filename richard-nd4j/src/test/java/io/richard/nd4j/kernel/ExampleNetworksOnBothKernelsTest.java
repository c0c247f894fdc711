package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import io.richard.api.Parameter;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.train.EpochResult;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
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

    static Stream<Arguments> networks() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type -> Stream.of(
                Arguments.of("dense", ExampleNetworks.dense(1), type), Arguments.of("cnn", ExampleNetworks.cnn(1), type)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("networks")
    void plainAndFastKernelsTrainTheSameNetwork(String name, NetworkSpec spec, DataType type) {
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        Network plain = Network.create(Network.defaultModel(ExampleNetworks.MNIST, spec), 0, type, Kernels.plain());
        Network fast = Network.create(Network.defaultModel(ExampleNetworks.MNIST, spec), 0, type, Kernels.fast());
        InMemoryDataSet data = ExampleNetworks.data(9).castTo(type);
        List<INDArray> initial = ExampleNetworks.parameters(plain).stream().map(q -> q.value().dup()).toList();

        List<EpochResult> plainCosts = Trainer.builder(plain).build().fit(data);
        List<EpochResult> fastCosts = Trainer.builder(fast).build().fit(data);

        assertEquals(plainCosts.get(0).meanCost(), fastCosts.get(0).meanCost(),
                tolerance * Math.max(1, plainCosts.get(0).meanCost()), name + " mean cost");
        List<Parameter> p = ExampleNetworks.parameters(plain);
        List<Parameter> f = ExampleNetworks.parameters(fast);
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
}
