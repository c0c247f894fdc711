package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.ModelArchive;
import io.richard.nd4j.train.Trainer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long-running use of the library (train, evaluate, predict, save and load, over and over) keeps its memory
 * flat: after a warm-up, neither the Java heap nor ND4J's off-heap memory grows with the number of rounds.
 */
class MemoryStabilityTest {

    private static final int ROUNDS = 30;
    private static final int WARM_UP = 8;
    private static final int EVALUATION_BATCH = 512;

    @TempDir
    Path dir;

    /**
     * One measurement after a full garbage collection: the heap in use, and the process's resident memory minus the
     * heap committed, which is the native memory (ND4J allocates its arrays itself, outside JavaCPP's accounting,
     * so {@code Pointer.totalBytes()} stays near 0 and the resident size is the measure that sees them).
     */
    record Usage(long heap, long offHeap, long physical) {
    }

    @Test
    void trainingAndEvaluatingRepeatedlyKeepsHeapAndOffHeapMemoryFlat() throws InterruptedException {
        // [28, 28, 1] → conv 8 of 3×3 → pool → dense 16 (dropout) → output 3: evaluating 512 samples in one batch
        // holds about 20 MB of layer arrays per network (the convolution's input and output rows alone are 512·784·9
        // floats), so a network, or its arrays, kept by mistake every round would add that much per round: far
        // above what allocators, the JIT or the collector add on any machine once warmed up
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 200, 20)
                .layer(new ConvolutionalLayerSpec(8, new Size2D(3, 3), 0.05, 1.0, 0.0)).maxPooling(2, 2)
                .layer(new DenseLayerSpec(16, 0.3, 1.0, 0.2)).output(3, 0.3);
        ModelSpec model = ModelSpec.of(List.of("a", "b", "c"), new Shape(28, 28, 1), new Normalization(0, 1), spec);
        InMemoryDataSet data = data(60);
        InMemoryDataSet test = data(EVALUATION_BATCH);
        Path file = dir.resolve("round.richard");
        Network kept = Network.create(model, 1);

        List<Usage> usage = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Network network = Network.create(model, round);                      // a new network every round …
            Trainer.builder(network).shuffle(round).build().fit(data);
            network.evaluate(test, EVALUATION_BATCH);
            Trainer.builder(kept).build().fit(data);                              // … and one trained all along
            kept.evaluate(test, 64);
            kept.predict(test.features());
            ModelArchive.save(file, network, Map.of());
            ModelArchive.load(file).network().output(test.features());
            usage.add(measure());
        }
        // what one round's network holds after evaluating a batch: the per-round growth a leak of it would cause
        long perNetwork = 4L * EVALUATION_BATCH * 28 * 28 * (1 + 8);
        Usage base = usage.get(WARM_UP - 1);
        long heapGrowth = 0;
        long offHeapGrowth = 0;
        long physicalGrowth = 0;
        for (Usage u : usage.subList(WARM_UP, ROUNDS)) {
            heapGrowth = Math.max(heapGrowth, u.heap() - base.heap());
            offHeapGrowth = Math.max(offHeapGrowth, u.offHeap() - base.offHeap());
            physicalGrowth = Math.max(physicalGrowth, u.physical() - base.physical());
        }
        String report = String.format(Locale.ROOT, "memory over %d rounds (after %d warm-up rounds): heap %.1f MB ->"
                        + " max growth %.1f MB; off-heap (RSS - committed heap) %.1f MB -> max growth %.1f MB;"
                        + " process physical (RSS) %.1f MB -> max growth %.1f MB; first round: heap %.1f MB,"
                        + " off-heap %.1f MB, RSS %.1f MB; a leaked network would add %.1f MB per round",
                ROUNDS, WARM_UP, mb(base.heap()), mb(heapGrowth), mb(base.offHeap()), mb(offHeapGrowth),
                mb(base.physical()), mb(physicalGrowth), mb(usage.get(0).heap()), mb(usage.get(0).offHeap()),
                mb(usage.get(0).physical()), mb(perNetwork));
        // the growth flattens: the last 10 rounds add less than a quarter of one leaked network per round would
        // (ten networks); the bounds are in leaked networks, not in megabytes of this machine's allocator
        long lateGrowth = usage.get(ROUNDS - 1).physical() - usage.get(ROUNDS - 11).physical();
        report += String.format(Locale.ROOT, "; RSS growth over the last 10 rounds %.1f MB", mb(lateGrowth));
        System.out.println(report);
        assertTrue(lateGrowth < 10 * perNetwork / 4, report);
        assertTrue(offHeapGrowth < (ROUNDS - WARM_UP) * perNetwork / 4, report);
        assertTrue(physicalGrowth < (ROUNDS - WARM_UP) * perNetwork / 4, report);
        assertTrue(heapGrowth < 24L << 20, report);                // the heap holds no array data: a leak of
                                                                    // Java objects per round shows here
    }

    private static Usage measure() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);                 // lets the deallocator threads free what the collection released
        }
        long physical = Pointer.physicalBytes();
        return new Usage(runtime.totalMemory() - runtime.freeMemory(), physical - runtime.totalMemory(), physical);
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static InMemoryDataSet data(int n) {
        Random random = new Random(n);
        float[][] x = new float[n][28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int v = 0; v < 28 * 28; v++) {
                x[i][v] = random.nextFloat() * 0.6f + (v % 3 == labels[i] ? 0.4f : 0f);
            }
        }
        return InMemoryDataSet.of(List.of("a", "b", "c"), new Shape(28, 28, 1), x, labels);
    }
}
