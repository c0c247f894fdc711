package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import io.richard.api.ConfigException;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.Size2D;
import org.junit.jupiter.api.Test;

/** The pre-allocation estimate: plausible numbers, and refusal with the numbers before anything is allocated. */
class MemoryEstimateTest {

    private static ModelSpec dense(int inputs, int hidden, int miniBatch) {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 100, miniBatch).dense(hidden, 0.1).output(10, 0.1);
        return ModelSpec.of(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), Shape.flat(inputs),
                new Normalization(0, 1), spec);
    }

    @Test
    void countsParametersThreeTimesAndActivationsPerMiniBatch() {
        MemoryEstimate e = MemoryEstimate.of(dense(784, 30, 10), 256);
        assertEquals(784L * 30 + 30 + 30 * 10 + 10, e.parameters());
        assertEquals(3 * 4 * e.parameters(), e.parameterBytes());
        assertTrue(e.activationBytes() > 4L * 256 * 784 && e.activationBytes() < 4L * 20 * 256 * 784,
                "activations " + e.activationBytes());
        // the MNIST network of the reference fits in any JVM
        assertDoesNotThrow(() -> e.require(MemoryEstimate.available()));
        // counted here from the layer shapes by the rule the class states (float32 values):
        // training, N = 10: dense 784 → 30: a, z/δ, ∇a out (3·N·30) + its input and ∇input (2·N·784);
        //                   output 30 → 10: 3·N·10 + 2·N·30
        // inference, N = 256: each layer's input and output: 256·(784 + 30) + 256·(30 + 10)
        // the batch x and y: 2·N·(784 + 10)
        long values = (3 * 10 * 30 + 2 * 10 * 784) + (3 * 10 * 10 + 2 * 10 * 30)
                + 256 * (784 + 30) + 256 * (30 + 10) + 2 * 10 * (784 + 10);
        assertEquals(4 * values, e.activationBytes());
        assertEquals(1_007_936, e.activationBytes());
        assertEquals(4 * 3 * e.parameters() + 4 * values, e.totalBytes());
    }

    @Test
    void theOptimiserStateCountsOncePerArrayItKeepsPerParameter() {
        ModelSpec sgd = dense(784, 30, 10);
        long parameters = MemoryEstimate.of(sgd, 256).parameters();
        ModelSpec momentum = sgd.withNetwork(sgd.network().withOptimizer(new OptimizerSpec.Momentum(0.9, false)));
        ModelSpec adam = sgd.withNetwork(sgd.network().withOptimizer(new OptimizerSpec.Adam()));
        assertEquals(4 * 4 * parameters, MemoryEstimate.of(momentum, 256).parameterBytes(), "+ the velocity");
        assertEquals(6 * 4 * parameters, MemoryEstimate.of(adam, 256).parameterBytes(), "+ m, v and a work array");
        assertEquals(MemoryEstimate.of(sgd, 256).activationBytes(), MemoryEstimate.of(adam, 256).activationBytes());
    }

    @Test
    void earlyStoppingsCopyOfTheBestParametersCountsOnce() {
        ModelSpec adam = dense(784, 30, 10);
        adam = adam.withNetwork(adam.network().withOptimizer(new OptimizerSpec.Adam()));
        MemoryEstimate plain = MemoryEstimate.of(adam, 256);
        MemoryEstimate best = plain.withParameterCopies(1);
        assertEquals(7 * 4 * plain.parameters(), best.parameterBytes(), "value, gradient, init copy, m, v, work, best");
        assertEquals(plain.activationBytes(), best.activationBytes());
        assertEquals(plain, plain.withParameterCopies(0));
    }

    @Test
    void convolutionsCountTheirFullRowsAndTheStackedInputOfTheScheduleByOutputRow() {
        // [8, 8, 1] → conv 4 of 3×3 (full rows, kH·C = 3) → [6, 6, 4] → pool 2×2 → [3, 3, 4] → dense 16 (dropout)
        // → output 3; mini-batches of 20, inference batches of 64
        NetworkSpec cnn = NetworkSpec.builder().hyperparams(1, 100, 20)
                .layer(new ConvolutionalLayerSpec(4, new Size2D(3, 3), 0.1, 1.0, 0.0)).maxPooling(2, 2)
                .layer(new DenseLayerSpec(16, 0.1, 1.0, 0.2)).output(3, 0.1);
        MemoryEstimate e = MemoryEstimate.of(ModelSpec.of(List.of("a", "b", "c"), new Shape(8, 8, 1),
                new Normalization(0, 1), cnn), 64);
        assertEquals((4 * 9 + 4) + (16 * 36 + 16) + (3 * 16 + 3), e.parameters());
        assertEquals(16 * 36 + 16, e.largestLayerParameters());     // the dense layer, weights and biases
        long rows = 20 * 8 * 8;                              // a mini-batch's input rows N·H·W
        long inferenceRows = 64 * 8 * 8;
        long values = (2 * rows * 1 + 3 * rows * 4)          // conv: X, ∇X (C = 1); z, ∇a, δ in full rows (D = 4)
                + (3 * 20 * 144 + 20 * 36)                   // pool: its input three times, its output
                + (3 * 20 * 16 + 2 * 20 * 36 + 3 * 20 * 16)  // dense, with dropout's mask, dropped a and ∇a
                + (3 * 20 * 3 + 2 * 20 * 16)                 // output
                + (inferenceRows * 1 + inferenceRows * 4)    // inference conv: X and z
                + 64 * (144 + 36) + 64 * (36 + 16) + 64 * (16 + 3)
                + 2 * 20 * (64 + 3);                         // the batch x, y
        assertEquals(4 * values, e.activationBytes());

        // [6, 6, 32] → conv 8 of 2×2 (kH·C = 64: by output row, the input stacked kH times) → output 2
        NetworkSpec deep = NetworkSpec.builder().hyperparams(1, 100, 4)
                .layer(new ConvolutionalLayerSpec(8, new Size2D(2, 2), 0.1, 1.0, 0.0)).output(2, 0.1);
        MemoryEstimate stacked = MemoryEstimate.of(ModelSpec.of(List.of("a", "b"), new Shape(6, 6, 32),
                new Normalization(0, 1), deep), 10);
        long stackedValues = ((2 + 1) * 4 * 36 * 32 + 3 * 4 * 36 * 8)    // stacked input and ∇X; z, ∇a, δ
                + (3 * 4 * 2 + 2 * 4 * 200)
                + (2 * 10 * 36 * 32 + 10 * 36 * 8)                         // inference: stacked input, z
                + 10 * (200 + 2)
                + 2 * 4 * (1152 + 2);
        assertEquals(4 * stackedValues, stacked.activationBytes());
        assertEquals(3 * 4 * ((8 * 32 * 4 + 8) + (2 * 200 + 2)), stacked.parameterBytes());
    }

    @Test
    void aConvolutionWithDropoutCountsItsMaskItsDroppedOutputAndTheirGradient() {
        // [6, 6, 1] → conv 2 of 3×3, dropout 0.25 (full rows, kH·C = 3) → [4, 4, 2] → output 2; mini-batches of 5,
        // inference batches of 8
        NetworkSpec cnn = NetworkSpec.builder().hyperparams(1, 100, 5)
                .layer(new ConvolutionalLayerSpec(2, new Size2D(3, 3), 0.1, 1.0, 0.25)).output(2, 0.1);
        MemoryEstimate e = MemoryEstimate.of(ModelSpec.of(List.of("a", "b"), new Shape(6, 6, 1),
                new Normalization(0, 1), cnn), 8);
        long rows = 5 * 6 * 6;                               // a mini-batch's input rows N·H·W
        long values = (2 * rows * 1 + 3 * rows * 2)          // conv: X, ∇X (C = 1); z, ∇a, δ in full rows (D = 2)
                + 3 * 5 * (4 * 4 * 2)                        // its dropout: the mask, the dropped a, their ∇a
                + (3 * 5 * 2 + 2 * 5 * 32)                   // output
                + (8 * 36 * 1 + 8 * 36 * 2)                  // inference conv: X and z, no dropout
                + 8 * (32 + 2)                               // inference output
                + 2 * 5 * (36 + 2);                          // the batch x, y
        assertEquals(4 * values, e.activationBytes());
    }

    @Test
    void aNetworkIsRefusedExactlyWhenItNeedsMoreThanIsFree() {
        MemoryEstimate e = MemoryEstimate.of(dense(784, 30, 10), 256);
        long heap = 4 * e.largestLayerParameters();
        assertDoesNotThrow(() -> e.require(new MemoryEstimate.Available(e.totalBytes(), heap)));
        assertThrows(ConfigException.class, () -> e.require(new MemoryEstimate.Available(e.totalBytes() - 1, heap)));
        assertThrows(ConfigException.class, () -> e.require(new MemoryEstimate.Available(e.totalBytes(), heap - 1)));
    }

    @Test
    void aNetworkTooLargeIsRefusedWithTheEstimate() {
        MemoryEstimate e = MemoryEstimate.of(dense(1_000_000, 100_000, 16), 256);
        MemoryEstimate.Available available = new MemoryEstimate.Available(6L << 30, 1L << 30);
        ConfigException refused = assertThrows(ConfigException.class, () -> e.require(available));
        assertEquals("the network is too large to train here: it needs about 1.1 TB (100,001,100,010 parameters:"
                + " 1.1 TB with their gradients; activations for mini-batches of 16 and evaluation batches of 256:"
                + " 1.4 GB), but only 6.0 GB of physical memory is free; use fewer or smaller layers or smaller"
                + " mini-batches", refused.getMessage());
    }

    @Test
    void theLargestLayersInitialWeightsMustFitInTheHeap() {
        MemoryEstimate e = MemoryEstimate.of(dense(100_000, 10_000, 16), 256);     // 1e9 weights: 3.7 GB on the heap
        ConfigException refused = assertThrows(ConfigException.class,
                () -> e.require(new MemoryEstimate.Available(64L << 30, 2L << 30)));
        assertEquals("the network is too large for Java's heap: its largest layer's initial weights take 3.7 GB of"
                + " heap, but only 2.0 GB is free; give Java more memory (RICHARD_JAVA_OPTS=-Xmx8g) or use smaller"
                + " layers", refused.getMessage());
        assertDoesNotThrow(() -> e.require(new MemoryEstimate.Available(64L << 30, 6L << 30)));
        assertDoesNotThrow(() -> e.require(new MemoryEstimate.Available(0, 6L << 30)), "free memory unknown");
    }

    @Test
    void sizes() {
        assertEquals("512 bytes", MemoryEstimate.bytes(512));
        assertEquals("2 KB", MemoryEstimate.bytes(2048));
        assertEquals("1.5 MB", MemoryEstimate.bytes(3L << 19));
    }
}
