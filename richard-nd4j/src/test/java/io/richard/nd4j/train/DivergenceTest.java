package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.train.TrainingDivergedException;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The divergence guard: a cost that is not finite stops training before the bad mini-batch is applied, with a
 * message naming the epoch, the mini-batch and the layer and saying what to change; no checkpoint ever holds
 * a parameter that is not finite.
 */
class DivergenceTest {

    private static final Shape INPUT = Shape.flat(4);

    private static InMemoryDataSet data(float scale) {
        float[][] x = new float[16][4];
        int[] labels = new int[16];
        for (int i = 0; i < x.length; i++) {
            labels[i] = i % 2;
            for (int v = 0; v < 4; v++) {
                x[i][v] = scale * ((i * 7 + v * 3) % 10) / 10f;
            }
        }
        return InMemoryDataSet.of(List.of("0", "1"), INPUT, x, labels);
    }

    @Test
    void anExplodingLearningRateStopsTrainingNamingEpochBatchAndLayer() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(50, 16, 4).dense(5, 1e300).output(2, 1e300);
        Network network = Network.create(INPUT, spec, 1, DataType.FLOAT);
        List<TrainingState> checkpoints = new ArrayList<>();
        Trainer trainer = Trainer.builder(network)
                .checkpoint(CheckpointInterval.everyBatches(1), state -> {
                    for (var layer : network.layers()) {
                        for (Parameter p : layer.parameters()) {
                            assertFalse(BooleanIndexing.or(p.value(), Conditions.isNan())
                                    || BooleanIndexing.or(p.value(), Conditions.isInfinite()),
                                    "a checkpoint is only handed over with finite parameters");
                        }
                    }
                    checkpoints.add(state);
                }).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(data(1)));
        String message = e.getMessage();
        assertEquals("training diverged in epoch 1, mini-batch 1: its update left hiddenLayers[0] (dense) parameters"
                + " W and b hold infinite values; outputLayer (output) parameters W and b hold infinite values; no"
                + " checkpoint was written with them. The steps are too large: lower"
                + " learnRate (now hiddenLayers[0] 1.0E300, outputLayer 1.0E300), e.g. to a tenth, or use smaller"
                + " mini-batches (gradients are summed over miniBatchSize 4).", message);
        assertEquals(List.of(), checkpoints, "no checkpoint with infinite parameters");
        assertTrue(e.layer() != null && message.contains(e.layer() + " ("), message);
        assertFalse(message.contains("\n"));
        assertEquals("hiddenLayers[0]", e.layer());

        // without checkpoints the cost of the next mini-batch catches it, before that mini-batch is applied
        Network unchecked = Network.create(INPUT, spec, 1, DataType.FLOAT);
        TrainingDivergedException next = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(unchecked).build().fit(data(1)));
        assertEquals(0, next.epoch());
        assertEquals(1, next.batch());
        assertTrue(next.getMessage().startsWith("training diverged in epoch 1, mini-batch 2: the cost is NaN;"
                + " hiddenLayers[0] (dense) parameters W and b hold "), next.getMessage());
    }

    @Test
    void aNonFiniteCostIsCaughtBeforeTheMiniBatchIsApplied() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(3, 16, 4).dense(5, 0.5).output(2, 0.5);
        Network network = Network.create(INPUT, spec, 1, DataType.FLOAT);
        network.layers().get(1).parameters().get(0).value().putScalar(0, 1, Float.NaN);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(data(1)));
        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
        assertEquals("outputLayer", e.layer());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, mini-batch 1: the cost is NaN;"
                + " outputLayer (output) parameter W holds NaN values. The steps are too large"), e.getMessage());
    }

    @Test
    void infiniteInputsAreBlamedOnTheData() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 16, 4).dense(5, 0.5).output(2, 0.5);
        Network network = Network.create(INPUT, spec, 1, DataType.FLOAT);
        float[][] x = {{0, 1, 2, Float.NaN}, {1, 1, 1, 1}};
        InMemoryDataSet bad = InMemoryDataSet.of(List.of("0", "1"), INPUT, x, 0, 1);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(bad));
        assertEquals("training diverged in epoch 1, mini-batch 1: the cost is NaN; the mini-batch's inputs hold NaN"
                + " values; check the data (every value must be a finite number).", e.getMessage());
        assertEquals(null, e.layer());
    }

    @Test
    void aLayerWithNaNAndInfiniteParametersIsNamedWithBoth() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 16, 4).dense(5, 0.5).output(2, 0.5);
        Network network = Network.create(INPUT, spec, 1, DataType.FLOAT);
        network.layers().get(1).parameters().get(0).value().putScalar(1, 2, Float.NaN);
        network.layers().get(1).parameters().get(1).value().putScalar(0, 1, Float.POSITIVE_INFINITY);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(data(1)));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, mini-batch 1: the cost is NaN;"
                + " outputLayer (output) parameters W and b hold NaN and infinite values. The steps are too large"),
                e.getMessage());
        assertEquals("outputLayer", e.layer());
    }

    @Test
    void finiteParametersWhoseOutputOverflowsAreBlamedOnTheirLayer() {
        // a 1×1 convolution of weight 3e38 on inputs of 5: z = 1.5e39 overflows float32 to +∞ and ReLU keeps it; the
        // output layer's mixed-sign weights then meet +∞ and give NaN
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 16, 4).convolutional(1, 1, 1, 0.5).output(2, 0.5);
        Network network = Network.create(new Shape(2, 2, 1), spec, 1, DataType.FLOAT);
        network.layers().get(0).parameters().get(0).value().assign(3e38f);
        network.layers().get(0).parameters().get(1).value().assign(0);
        INDArray w = network.layers().get(1).parameters().get(0).value();
        w.assign(0.1f);
        w.putScalar(0, 1, -0.1f);
        w.putScalar(1, 1, -0.1f);
        float[][] x = {{5, 5, 5, 5}, {5, 5, 5, 5}};
        InMemoryDataSet large = InMemoryDataSet.of(List.of("0", "1"), new Shape(2, 2, 1), x, 0, 1);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(large));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, mini-batch 1: the cost is NaN; the output"
                + " of hiddenLayers[0] (convolutional) holds infinite values (its parameters are finite but too"
                + " large). The steps are too large: lower learnRate (now hiddenLayers[0] 0.5, outputLayer 0.5)"),
                e.getMessage());
        assertEquals("hiddenLayers[0]", e.layer());
        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
    }

    /**
     * With finite parameters, inputs and layer outputs, what is left is the targets: a target of 1e200 makes
     * ½ (a − y)² = 5e399, beyond float64 (+∞), and is +∞ itself in a float32 network; a NaN target makes the cost
     * NaN. Both are named, with the cost's sign. The float64 mini-batch is run through a float32 network's layers
     * as training ran it, cast to float32.
     */
    @ParameterizedTest(name = "target {0}, {2} network")
    @CsvSource({"1e200, +∞, DOUBLE", "NaN, NaN, DOUBLE", "1e200, +∞, FLOAT", "NaN, NaN, FLOAT"})
    void targetsThatOverflowTheCostAreBlamedWhenEverythingElseIsFinite(double target, String cost, DataType type) {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 16, 4).dense(5, 0.5).output(2, 0.5);
        Network network = Network.create(INPUT, spec, 1, type);
        INDArray w = network.layers().get(0).parameters().get(0).value().dup();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(new Targets(target, new double[] {0.1, 0.2, 0.3, 0.4})));
        assertEquals("training diverged in epoch 1, mini-batch 1: the cost is " + cost + "; the targets or the cost"
                + " overflowed. The steps are too large: lower learnRate (now hiddenLayers[0] 0.5, outputLayer 0.5),"
                + " e.g. to a tenth, or use smaller mini-batches (gradients are summed over miniBatchSize 4).",
                e.getMessage());
        assertEquals(null, e.layer());
        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
        assertEquals(w, network.layers().get(0).parameters().get(0).value(), "the bad mini-batch was applied");
    }

    /**
     * Float64 inputs that are finite but beyond float32's range (largest 3.4e38) become infinite when a float32
     * network casts its mini-batch: the data is blamed, not the first layer's parameters; a float64 network trains
     * on them.
     */
    @Test
    void inputsBeyondTheNetworksRangeAreBlamedOnTheData() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(1, 16, 4).dense(5, 0.5).output(2, 0.5);
        Network network = Network.create(INPUT, spec, 1, DataType.FLOAT);
        network.layers().get(0).parameters().get(0).value().assign(1);
        Targets beyond = new Targets(1, new double[] {1e39, -1e39, 0.3, 0.4});   // z = +∞ − ∞ = NaN in float32
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.builder(network).build().fit(beyond));
        assertEquals("training diverged in epoch 1, mini-batch 1: the cost is NaN; the mini-batch's inputs hold values"
                + " beyond the range of the network's float32 numbers (they became infinite); scale the data, or"
                + " use a float64 network.", e.getMessage());
        assertEquals(null, e.layer());

        Network wide = Network.create(INPUT, spec, 1, DataType.DOUBLE);
        wide.layers().get(0).parameters().get(0).value().assign(1);
        assertEquals(1, Trainer.builder(wide).build().fit(beyond).size(), "an epoch trained");
        assertTrue(Double.isFinite(wide.layers().get(0).parameters().get(0).value().sumNumber().doubleValue()));
    }

    /**
     * Two samples of finite inputs in one float64 mini-batch, the first with the target {@code (value, 0)} and the
     * inputs {@code first}.
     */
    private record Targets(double value, double[] first) implements LabelledDataSet {

        @Override
        public List<String> classes() {
            return List.of("0", "1");
        }

        @Override
        public Shape shape() {
            return INPUT;
        }

        @Override
        public int size() {
            return 2;
        }

        @Override
        public BatchStream batches(int batchSize, int limit, SampleOrder order) {
            return new BatchStream() {
                boolean given;

                @Override
                public boolean hasNext() {
                    return !given;
                }

                @Override
                public Batch next() {
                    given = true;
                    return new Batch(Nd4j.createFromArray(new double[][] {first, {0.5, 0.6, 0.7, 0.8}}),
                            Nd4j.createFromArray(new double[][] {{value, 0}, {0, 1}}), new int[] {0, 1});
                }
            };
        }
    }
}
