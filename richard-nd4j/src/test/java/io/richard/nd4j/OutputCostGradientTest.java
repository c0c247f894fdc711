package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.activation.Softmax;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.loss.CrossEntropyLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference checks (float64) of a whole network's parameter gradients for each output activation and cost:
 * the seed's sigmoid with the quadratic cost ((14)–(17)), and the fused forms of softmax and of the sigmoid with the
 * cross-entropy cost (δ^L = a − y). The scalar probed is the summed cost of a mini-batch, C(θ) = Σ_n C(a_n(θ), y_n);
 * every parameter of every layer (the output layer's, and those the fused δ^L reaches through back-propagation) must
 * have ∂C/∂θ as {@link Network#outputGradient} and {@link Network#backward} leave it, on both kernel implementations.
 */
class OutputCostGradientTest {

    static Stream<Arguments> outputs() {
        return Stream.of(Kernels.plain(), Kernels.fast()).flatMap(kernels -> Stream.of(
                Arguments.of(kernels, OutputLayerSpec.SIGMOID, OutputLayerSpec.QUADRATIC),
                Arguments.of(kernels, OutputLayerSpec.SIGMOID, OutputLayerSpec.CROSS_ENTROPY),
                Arguments.of(kernels, OutputLayerSpec.SOFTMAX, OutputLayerSpec.CROSS_ENTROPY)));
    }

    /** [5, 4, 2] → conv 3 of 2×2 → [4, 3, 3] → max pool 2×1 → [2, 3, 3] → dense 4 → output 3. */
    private static ModelSpec model(String activation, String cost) {
        NetworkSpec network = NetworkSpec.builder().hyperparams(1, 10, 4).convolutional(3, 2, 2, 0.1)
                .maxPooling(2, 1).dense(4, 0.1).output(new OutputLayerSpec(3, 0.1, activation, cost));
        return ModelSpec.of(List.of("a", "b", "c"), new Shape(5, 4, 2), new Normalization(0, 1), network);
    }

    @ParameterizedTest(name = "{0} {1} + {2}")
    @MethodSource("outputs")
    void everyParameterGradientIsTheSummedCostsDerivative(Kernels kernels, String activation, String cost) {
        Network network = Network.create(model(activation, cost), 3, DataType.DOUBLE, kernels);
        Nd4j.getRandom().setSeed(41);
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                p.value().assign(Nd4j.randn(DataType.DOUBLE, p.value().shape()).muli(0.7));
            }
        }
        int n = 4;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, 40);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 3);
        int[] labels = {0, 2, 1, 2};
        for (int s = 0; s < n; s++) {
            y.putScalar(s, labels[s], 1);
        }

        INDArray a = network.forward(x, Mode.TRAINING);
        INDArray start = a.ulike();
        double summed = network.outputGradient(a, y, start);
        network.backward(start);
        assertEquals(network.loss().totalCost(network.output(x), y), summed, 1e-12, "the summed cost");
        if (cost.equals(OutputLayerSpec.CROSS_ENTROPY)) {
            assertEquals(network.output(x).sub(y), start, "the fused δ^L = a − y");
        }
        for (int l = 0; l < network.layers().size(); l++) {
            for (Parameter p : network.layers().get(l).parameters()) {
                GradientCheck.compare(network.model().network().path(l) + "." + p.name(), p.gradient().dup(),
                        p.value(), () -> network.loss().totalCost(network.forward(x, Mode.INFERENCE), y));
            }
        }
    }

    /**
     * The fused δ^L = a − y equals what the unfused chain gives where that is finite: softmax's Jacobian applied to
     * ∇a C = −y / a.
     */
    @Test
    void theFusedDeltaEqualsTheChainRuleWhereThatIsFinite() {
        Nd4j.getRandom().setSeed(5);
        INDArray a = Softmax.INSTANCE.applyInPlace(Nd4j.randn(DataType.DOUBLE, 6, 4));
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 6, 4);
        for (int s = 0; s < 6; s++) {
            y.putScalar(s, s % 4, 1);
        }
        INDArray chain = Softmax.INSTANCE.delta(CrossEntropyLoss.CATEGORICAL.gradient(a, y), a, a.ulike());
        INDArray fused = a.ulike();
        CrossEntropyLoss.CATEGORICAL.deltaAndCost(a, y, fused);
        assertTrue(chain.equalsWithEps(fused, 1e-12), chain + " vs " + fused);
    }
}
