package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import io.richard.api.ConfigException;
import io.richard.api.ModelFormatException;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.Network;
import io.richard.nd4j.OneThread;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.train.TrainingState;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.optimize.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints and resume: a run resumed from any checkpoint (mid-epoch or at an epoch's end, with dropout,
 * shuffling and learning-rate decay) ends with bit-identical parameters to the uninterrupted run, at one thread.
 */
@ExtendWith(OneThread.class)
class CheckpointTest {

    private static final int EPOCHS = 4;

    @TempDir
    Path dir;

    /** [6, 6, 1] → conv 3 of 3×3 → max pool 2×2 → dense 6 (dropout 0.3) → output 3; shuffled, decaying rates. */
    static ModelSpec model() {
        NetworkSpec network = NetworkSpec.builder().hyperparams(EPOCHS, 30, 4)
                .layer(new ConvolutionalLayerSpec(3, new io.richard.api.spec.Size2D(3, 3), 0.05, 0.9, 0.0))
                .maxPooling(2, 2)
                .layer(new DenseLayerSpec(6, 0.4, 0.8, 0.3))
                .output(new OutputLayerSpec(3, 0.3, 0.95));
        return ModelSpec.of(List.of("a", "b", "c"), new Shape(6, 6, 1), new Normalization(0, 1), network);
    }

    /** 40 random samples of 3 classes (more than the 30 an epoch uses, so every epoch picks its own 30). */
    static InMemoryDataSet data() {
        Random random = new Random(11);
        float[][] x = new float[40][36];
        int[] labels = new int[40];
        for (int i = 0; i < x.length; i++) {
            labels[i] = i % 3;
            for (int v = 0; v < 36; v++) {
                x[i][v] = random.nextFloat() * 0.5f + (v % 3 == labels[i] ? 0.5f : 0f);
            }
        }
        return InMemoryDataSet.of(List.of("a", "b", "c"), new Shape(6, 6, 1), x, labels);
    }

    private static List<EpochResult> train(Network network, TrainingState resume, Trainer.CheckpointSink sink,
                                           TrainingListener listener) {
        Trainer.Builder builder = Trainer.builder(network).shuffle(7);
        if (resume != null) {
            builder.resume(resume);
        }
        if (sink != null) {
            builder.checkpoint(CheckpointInterval.everyBatches(3), sink);
        }
        if (listener != null) {
            builder.listener(listener);
        }
        return builder.build().fit(data());
    }

    static void assertSameParameters(Network expected, Network actual) {
        for (int l = 0; l < expected.layers().size(); l++) {
            List<Parameter> want = expected.layers().get(l).parameters();
            List<Parameter> got = actual.layers().get(l).parameters();
            for (int p = 0; p < want.size(); p++) {
                assertArrayEquals(want.get(p).value().dup().data().asFloat(), got.get(p).value().dup().data().asFloat(),
                        "layer " + l + " " + want.get(p).name() + " must be bit-identical");
            }
        }
    }

    @Test
    void resumingFromEveryCheckpointEndsBitIdenticalToTheUninterruptedRun() throws IOException {
        Network uninterrupted = Network.create(model(), 5);
        List<EpochResult> expected = train(uninterrupted, null, null, null);

        // The same run, keeping a copy of every checkpoint it writes (every 3 mini-batches: mid-epoch positions).
        Network checkpointed = Network.create(model(), 5);
        Path file = dir.resolve("run.checkpoint");
        List<Path> copies = new ArrayList<>();
        train(checkpointed, null, state -> {
            Checkpoint.save(file, checkpointed, state, Map.of("note", "test"));
            Path copy = dir.resolve("copy-" + copies.size() + ".checkpoint");
            try {
                Files.copy(file, copy);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            copies.add(copy);
        }, null);
        assertSameParameters(uninterrupted, checkpointed);           // checkpointing changes nothing
        assertEquals(EPOCHS * 8 / 3, copies.size(), "8 mini-batches per epoch (30 samples in 4s), one every 3");

        int resumed = 0;
        for (Path copy : copies) {
            Checkpoint checkpoint = Checkpoint.load(copy);
            assertEquals(5, checkpoint.network().seed());
            assertEquals("test", checkpoint.metadata().get("note"));
            List<EpochResult> rest = train(checkpoint.network(), checkpoint.state(), null, null);
            assertSameParameters(uninterrupted, checkpoint.network());
            // the epochs run after resuming report what the uninterrupted run reported (the cost bit for bit)
            EpochResult last = rest.get(rest.size() - 1);
            assertEquals(expected.get(EPOCHS - 1).meanCost(), last.meanCost(), 0.0, copy.toString());
            assertEquals(expected.get(checkpoint.state().epoch()).meanCost(), rest.get(0).meanCost(), 0.0,
                    "the resumed epoch's mean cost includes the samples before the checkpoint");
            resumed++;
        }
        assertEquals(10, resumed);
    }

    @Test
    void stopMidEpochThenResumeFromTheTrainersState() {
        Network uninterrupted = Network.create(model(), 3);
        train(uninterrupted, null, null, null);

        Network stopped = Network.create(model(), 3);
        AtomicReference<Trainer> trainer = new AtomicReference<>();
        trainer.set(Trainer.builder(stopped).shuffle(7).listener(new TrainingListener() {
            @Override
            public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                if (epoch == 2 && samplesDone == 20) {
                    trainer.get().requestStop();
                }
            }
        }).build());
        List<EpochResult> results = trainer.get().fit(data());
        assertTrue(results.get(2).stopped());
        TrainingState state = trainer.get().state();
        assertEquals(new TrainingState(2, 5, 20, state.cost(), OptionalLong.of(7), "sgd", Map.of()), state);

        Path file = dir.resolve("stopped.checkpoint");
        Checkpoint.save(file, stopped, state, Map.of());
        Checkpoint loaded = Checkpoint.load(file);
        assertEquals(state, loaded.state());
        train(loaded.network(), loaded.state(), null, null);
        assertSameParameters(uninterrupted, loaded.network());
    }

    @Test
    void aCheckpointIsAModelArchiveThatEveryReaderOpens() {
        Network network = Network.create(model(), 2);
        Path file = dir.resolve("c.checkpoint");
        Checkpoint.save(file, network, TrainingState.start(OptionalLong.empty(), "sgd"), Map.of("k", "v"));
        SavedModel asModel = Models.load(file);
        IoFixtures.assertSameNetwork(network, asModel.network(), IoFixtures.input(network.model(), 3,
                DataType.FLOAT, 1));
        assertEquals("v", asModel.metadata().get("k"));
    }

    @Test
    void aPlainModelArchiveIsNotACheckpoint() {
        Path file = dir.resolve("m.richard");
        ModelArchive.save(file, Network.create(model(), 2), Map.of());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(file));
        assertEquals(file + " is a model archive but not a checkpoint: it has no training-state.json entry"
                + " (checkpoints are written by richard train --checkpoint-every)", e.getMessage());
    }

    @Test
    void resumingUnderAnEditedConfigKeepsParametersAndTakesTheNewRates() {
        Network network = Network.create(model(), 2);
        Path file = dir.resolve("c.checkpoint");
        Checkpoint.save(file, network, new TrainingState(1, 2, 8, 1.5, OptionalLong.of(7), "sgd", Map.of()),
                Map.of());
        Checkpoint checkpoint = Checkpoint.load(file);
        ModelSpec lower = model().withNetwork(NetworkSpec.builder().hyperparams(9, 30, 4)
                .layer(new ConvolutionalLayerSpec(3, new io.richard.api.spec.Size2D(3, 3), 0.005, 0.9, 0.0))
                .maxPooling(2, 2)
                .layer(new DenseLayerSpec(6, 0.04, 0.8, 0.0))
                .output(new OutputLayerSpec(3, 0.03, 0.95)));
        Network rebuilt = checkpoint.network(lower);
        assertEquals(lower, rebuilt.model());
        assertSameParameters(network, rebuilt);
        assertEquals(2, rebuilt.seed());

        ModelSpec wider = model().withNetwork(NetworkSpec.builder().hyperparams(9, 30, 4)
                .convolutional(3, 3, 3, 0.05).maxPooling(2, 2).dense(7, 0.4).output(3, 0.3));
        ConfigException e = assertThrows(ConfigException.class, () -> checkpoint.network(wider));
        assertEquals("the config's network (convolutional [4, 4, 3], maxPooling [2, 2, 3], dense [7, 1, 1],"
                + " output [3, 1, 1]) differs from the checkpoint's (convolutional [4, 4, 3], maxPooling [2, 2, 3],"
                + " dense [6, 1, 1], output [3, 1, 1]); only learning rates, their decay, dropout rates and epochs"
                + " may change when resuming", e.getMessage());
    }

    static Stream<Arguments> optimisers() {
        return Stream.of(Arguments.of(new OptimizerSpec.Momentum(0.9, false), 6),
                Arguments.of(new OptimizerSpec.Momentum(0.5, true), 6),
                Arguments.of(new OptimizerSpec.Adam(), 13),
                Arguments.of(new OptimizerSpec.Adam(0.8, 0.99, 1e-6, 0.01), 13));
    }

    /**
     * The optimiser's state goes into the checkpoint (momentum: a velocity per parameter; Adam: two moments per
     * parameter and its step count), and a run resumed from it, at an epoch's end or in the middle of an epoch, ends
     * bit-identical to the uninterrupted run.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void optimiserStateIsCheckpointedAndRestoredBitForBit(OptimizerSpec optimizer, int arrays) {
        ModelSpec model = IoFixtures.denseModel();
        model = model.withNetwork(model.network().withHyperparams(new Hyperparams(3, 100, 2)).withOptimizer(optimizer));
        InMemoryDataSet data = InMemoryDataSet.of(model.classes(), model.inputShape(), randomRows(7, 12),
                0, 1, 2, 0, 1, 2, 1);

        Network uninterrupted = Network.create(model, 4);
        Trainer.builder(uninterrupted).build().fit(data);

        Network first = Network.create(model, 4);
        Path file = dir.resolve("optimiser.checkpoint");
        List<Path> copies = new ArrayList<>();
        Trainer.builder(first).checkpoint(CheckpointInterval.everyBatches(3), state -> {
            Checkpoint.save(file, first, state, Map.of());
            Path copy = dir.resolve("copy-" + copies.size() + ".checkpoint");
            try {
                Files.copy(file, copy);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            copies.add(copy);
        }).build().fit(data);
        assertSameParameters(uninterrupted, first);
        assertEquals(4, copies.size(), "12 mini-batches (3 epochs of 4), one checkpoint every 3");

        for (Path copy : copies) {
            Checkpoint checkpoint = Checkpoint.load(copy);
            assertEquals(optimizer.type(), checkpoint.state().optimizer());
            assertEquals(arrays, checkpoint.state().optimizerState().size(), "W and b of three layers (and t)");
            Trainer.builder(checkpoint.network()).resume(checkpoint.state()).build().fit(data);
            assertSameParameters(uninterrupted, checkpoint.network());
        }

        Checkpoint checkpoint = Checkpoint.load(copies.get(0));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(checkpoint.network()).optimizer(new Sgd()).resume(checkpoint.state()).build());
        assertEquals("the training state was written by the optimiser '" + optimizer.type()
                + "', this trainer uses 'sgd'", wrong.getMessage());
    }

    /** The example's convolutional network trained with Adam, resumed from every checkpoint: bit for bit. */
    @Test
    void adamResumesBitIdenticalFromEveryCheckpointOfAConvolutionalRun() throws IOException {
        ModelSpec adam = model().withNetwork(model().network().withOptimizer(new OptimizerSpec.Adam()));
        Network uninterrupted = Network.create(adam, 5);
        Trainer.builder(uninterrupted).shuffle(7).build().fit(data());
        Network checkpointed = Network.create(adam, 5);
        Path file = dir.resolve("adam.checkpoint");
        List<TrainingState> states = new ArrayList<>();
        Trainer.builder(checkpointed).shuffle(7).checkpoint(CheckpointInterval.everyBatches(5), state -> {
            if (states.isEmpty() || states.size() == 3) {
                Checkpoint.save(file.resolveSibling(states.size() + ".checkpoint"), checkpointed, state, Map.of());
            }
            states.add(state);
        }).build().fit(data());
        assertSameParameters(uninterrupted, checkpointed);
        for (String name : List.of("0.checkpoint", "3.checkpoint")) {
            Checkpoint checkpoint = Checkpoint.load(dir.resolve(name));
            assertEquals(name.equals("0.checkpoint") ? 5.0 : 20.0,
                    checkpoint.state().optimizerState().get("step").getDouble(0), "Adam's t");
            Trainer.builder(checkpoint.network()).resume(checkpoint.state()).build().fit(data());
            assertSameParameters(uninterrupted, checkpoint.network());
        }
    }

    private static float[][] randomRows(int n, int width) {
        Random random = new Random(n);
        float[][] rows = new float[n][width];
        for (float[] row : rows) {
            for (int i = 0; i < width; i++) {
                row[i] = random.nextFloat();
            }
        }
        return rows;
    }

    @Test
    void dropoutMasksDependOnlyOnTheSeedAndThePosition() {
        Network a = Network.create(model(), 9);
        Network b = Network.create(model(), 9);
        INDArray x = IoFixtures.input(model(), 4, DataType.FLOAT, 2);
        io.richard.api.Mode step = io.richard.api.Mode.training(3, 5);
        INDArray first = a.forward(x, step).dup();
        b.forward(x, step);                                        // b draws extra masks first, at that step …
        b.forward(x, io.richard.api.Mode.TRAINING);                // … and outside a training run …
        INDArray second = b.forward(x, step).dup();
        assertEquals(first, second, "… and still gets the same mask at the same step");
        assertNotEquals(first, a.forward(x, io.richard.api.Mode.training(3, 6)), "another mini-batch, another mask");
        assertFalse(Network.create(model(), 8).forward(x, io.richard.api.Mode.TRAINING).equals(
                Network.create(model(), 9).forward(x, io.richard.api.Mode.TRAINING)));
    }
}
