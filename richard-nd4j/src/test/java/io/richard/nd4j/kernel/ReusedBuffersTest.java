package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.InMemoryDataSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * No pass reads what an earlier one left in a reused array: with every reused buffer of every layer set to NaN
 * before each mini-batch (what a diverged step, or a BLAS kernel that reads an operand it was told to ignore,
 * could leave there), the example networks train to exactly the parameters of a run whose buffers were left as
 * they were, and infer the same outputs.
 */
class ReusedBuffersTest {

    static Stream<Arguments> networks() {
        return Stream.of(Arguments.of("dense", ExampleNetworks.dense(2)), Arguments.of("cnn", ExampleNetworks.cnn(2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void trainingWithEveryReusedBufferNaNBeforeEachMiniBatchGivesTheParametersOfAnUndisturbedRun(String name,
            NetworkSpec spec) {
        Network undisturbed = Network.create(Network.defaultModel(ExampleNetworks.MNIST, spec), 0, DataType.FLOAT, Kernels.fast());
        Network poisoned = Network.create(Network.defaultModel(ExampleNetworks.MNIST, spec), 0, DataType.FLOAT, Kernels.fast());
        InMemoryDataSet data = ExampleNetworks.data(5);
        int[] poisonings = {0};

        Trainer.builder(undisturbed).build().fit(data);
        Trainer.builder(poisoned).listener(new TrainingListener() {
            @Override
            public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                fillReusedBuffers(poisoned, Float.NaN);
                poisonings[0]++;
            }
        }).build().fit(data);

        assertEquals(2 * 4, poisonings[0], "the buffers were set to NaN after every mini-batch");
        List<Parameter> expected = ExampleNetworks.parameters(undisturbed);
        List<Parameter> actual = ExampleNetworks.parameters(poisoned);
        for (int i = 0; i < expected.size(); i++) {
            INDArray e = expected.get(i).value();
            INDArray a = actual.get(i).value();
            assertTrue(!a.isNaN().any(), name + " parameter " + i + " (" + actual.get(i).name() + ") holds NaN");
            assertTrue(e.equalsWithEps(a, 1e-6), name + " parameter " + i + " (" + actual.get(i).name() + ") differs");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void inferenceWithEveryReusedBufferNaNGivesTheOutputsOfFreshBuffers(String name, NetworkSpec spec) {
        Network network = Network.create(Network.defaultModel(ExampleNetworks.MNIST, spec), 0, DataType.FLOAT, Kernels.fast());
        INDArray x = ExampleNetworks.data(5).features();
        INDArray expected = network.output(x).dup();
        network.forward(x, Mode.TRAINING);                    // the training buffers hold a pass's arrays too
        fillReusedBuffers(network, Float.NaN);

        INDArray actual = network.output(x);

        assertTrue(expected.equalsWithEps(actual, 1e-6), name + ": " + actual);
    }

    /**
     * Sets every reused array of every layer of {@code network} (training and this thread's inference set): those of
     * the kernel objects the layers hold.
     */
    static void fillReusedBuffers(Network network, double value) {
        int found = 0;
        for (Layer layer : network.layers()) {
            for (Object kernel : fieldsOf(layer, o -> o instanceof LinearKernel || o instanceof PoolingKernel)) {
                for (Object buffers : fieldsOf(kernel, o -> o instanceof Buffers.PerMode)) {
                    ((Buffers.PerMode) buffers).fill(value);
                    found++;
                }
            }
        }
        assertEquals(network.layers().size(), found, "one buffer set per layer");
    }

    /** The values of the fields of {@code object} that {@code kind} accepts. */
    private static List<Object> fieldsOf(Object object, java.util.function.Predicate<Object> kind) {
        List<Object> values = new ArrayList<>();
        for (Field field : object.getClass().getDeclaredFields()) {
            field.setAccessible(true);
            try {
                Object value = field.get(object);
                if (kind.test(value)) {
                    values.add(value);
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return values;
    }
}
