package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Size2D;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingDivergedException;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches split between threads ({@link Trainer.Builder#parallel}): the summed gradients of the parts are
 * the one-thread gradient, so a convolutional network trains to the same parameters (float64, up to rounding).
 */
class ParallelTrainingTest {

    private static final Shape INPUT = new Shape(10, 9, 2);
    private static final List<String> CLASSES = List.of("0", "1", "2");

    /** conv 4 of 3×2 → max pool 2×2 → dense 5 → output 3; mini-batches of 4 over 11 samples: 4, 4, 3. */
    private static Network network(double dropout) {
        NetworkSpec spec = NetworkSpec.builder()
                .hyperparams(2, 11, 4)
                .layer(new ConvolutionalLayerSpec(4, new Size2D(3, 2), 0.05, 0.9, dropout))
                .maxPooling(2, 2)
                .layer(new DenseLayerSpec(5, 0.3, 1.0, dropout))
                .output(3, 0.3);
        return Network.create(INPUT, spec, 7, DataType.DOUBLE);
    }

    private static InMemoryDataSet data() {
        Random random = new Random(3);
        float[][] samples = new float[11][INPUT.size()];
        int[] labels = new int[11];
        for (int n = 0; n < samples.length; n++) {
            for (int i = 0; i < INPUT.size(); i++) {
                samples[n][i] = random.nextFloat();
            }
            labels[n] = n % 3;
        }
        return InMemoryDataSet.of(CLASSES, INPUT, samples, labels).castTo(DataType.DOUBLE);
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {2, 3})
    void splitMiniBatchesTrainTheSameParametersAsOneThread(int threads) {
        Network one = network(0.0);
        Network split = network(0.0);
        List<EpochResult> expected = Trainer.builder(one).build().fit(data());

        List<EpochResult> actual = Trainer.builder(split).parallel(threads).build().fit(data());

        for (int e = 0; e < expected.size(); e++) {
            assertEquals(expected.get(e).meanCost(), actual.get(e).meanCost(), 1e-12, "mean cost of epoch " + e);
        }
        List<INDArray> before = values(network(0.0));
        List<INDArray> a = values(one);
        List<INDArray> b = values(split);
        for (int i = 0; i < a.size(); i++) {
            assertTrue(a.get(i).equalsWithEps(b.get(i), 1e-12), "parameter " + i + ": " + a.get(i) + " vs " + b.get(i));
            assertTrue(!a.get(i).equalsWithEps(before.get(i), 1e-6), "parameter " + i + " did not move");
        }
    }

    @Test
    void withDropoutEachPartDrawsItsOwnMasksAndARerunDrawsTheSame() {
        Network first = network(0.3);
        Network second = network(0.3);
        Network oneThread = network(0.3);
        Trainer.builder(first).parallel(2).build().fit(data());
        Trainer.builder(second).parallel(2).build().fit(data());
        Trainer.builder(oneThread).build().fit(data());

        List<INDArray> a = values(first);
        List<INDArray> b = values(second);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), "parameter " + i + " differs between two identical runs");
        }
        // the parts' masks are not the halves of the one-thread masks: the kernels end elsewhere
        assertTrue(!a.get(0).equalsWithEps(values(oneThread).get(0), 1e-9));
    }

    @Test
    void trainingRunsTheProductsOfItsPartsSingleThreadedAndPutsTheBlasThreadsBack() {
        assertEquals(List.of(1, 1, 1, 1, 1, 1), blasThreadsPerMiniBatch(2), "BLAS threads during the 6 mini-batches");
    }

    /** One thread trains every mini-batch whole on the network itself, with the BLAS threads as they were set. */
    @Test
    void oneThreadLeavesTheBlasThreadsAsTheyAre() {
        assertEquals(List.of(2, 2, 2, 2, 2, 2), blasThreadsPerMiniBatch(1), "BLAS threads during the 6 mini-batches");
    }

    /**
     * The BLAS thread count after each mini-batch of training on {@code parallel} threads, set to 2 before; checks it
     * is 2 again afterwards.
     */
    private static List<Integer> blasThreadsPerMiniBatch(int parallel) {
        int blas = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(2);
        try {
            List<Integer> during = new ArrayList<>();
            Trainer.builder(network(0.0)).parallel(parallel).listener(new TrainingListener() {
                @Override
                public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                    during.add(Nd4j.factory().blas().getMaxThreads());
                }
            }).build().fit(data());
            assertEquals(2, Nd4j.factory().blas().getMaxThreads(), "BLAS threads after training");
            return during;
        } finally {
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    @Test
    void aNonFiniteCostInAnyPartIsCaughtBeforeTheMiniBatchIsApplied() {
        Network network = network(0.0);
        Layer output = network.layers().get(3);
        output.parameters().get(0).value().putScalar(1, 2, Double.NaN);
        INDArray kernels = network.layers().get(0).parameters().get(0).value().dup();
        int blas = Nd4j.factory().blas().getMaxThreads();

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).parallel(2).build().fit(data()));

        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
        assertEquals("outputLayer", e.layer());
        assertEquals(kernels, network.layers().get(0).parameters().get(0).value(), "the bad mini-batch was applied");
        assertEquals(blas, Nd4j.factory().blas().getMaxThreads());
    }

    @Test
    void fewerThanOneThreadIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(network(0.0)).parallel(0));
        assertEquals("the number of training threads must be at least 1, got 0", e.getMessage());
    }

    /** Copies of every parameter of the network, layer by layer. */
    static List<INDArray> values(Network network) {
        List<INDArray> values = new ArrayList<>();
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                values.add(p.value().dup());
            }
        }
        return values;
    }
}
