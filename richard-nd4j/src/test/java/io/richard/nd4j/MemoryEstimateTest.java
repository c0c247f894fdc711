package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import io.richard.api.ConfigException;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
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
