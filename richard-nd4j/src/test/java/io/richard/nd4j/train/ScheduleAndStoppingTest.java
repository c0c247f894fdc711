package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.EarlyStoppingSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.spec.ScheduleSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.OneThread;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Learning-rate schedules (their factors by hand, and the rates the optimiser is given) and early stopping (when it
 * stops, which parameters it keeps, and that a run resumed from any checkpoint stops and keeps the same).
 */
@ExtendWith(OneThread.class)
class ScheduleAndStoppingTest {

    @TempDir
    Path dir;

    @Test
    void stepAndCosineFactorsByHand() {
        ScheduleSpec step = new ScheduleSpec.Step(2, 0.5);
        double[] expected = {1, 1, 0.5, 0.5, 0.25, 0.25};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], step.factor(e, 6), 0, "step, epoch " + e);
        }
        ScheduleSpec cosine = new ScheduleSpec.Cosine(0.1);
        // m + (1 − m) · ½ (1 + cos(π e / 4)) for e = 0 … 3: 1, 0.1 + 0.9 · 0.853553, 0.55, 0.1 + 0.9 · 0.146447
        double[] cosines = {1, 0.1 + 0.9 * (0.5 + 0.5 * Math.sqrt(0.5)), 0.55, 0.1 + 0.9 * (0.5 - 0.5 * Math.sqrt(0.5))};
        for (int e = 0; e < cosines.length; e++) {
            assertEquals(cosines[e], cosine.factor(e, 4), 1e-15, "cosine, epoch " + e);
        }
        assertEquals(0.5, new ScheduleSpec.Cosine(0).factor(2, 4), 1e-15, "half way: half the rate");
    }

    /** The optimiser is given λ · decay^e · factor(e), per layer: recorded per step. */
    @Test
    void theTrainerGivesTheScheduledRates() {
        ModelSpec model = model(new OptimizerSpec.Momentum(0.5, false), new ScheduleSpec.Step(1, 0.5));
        Network network = Network.create(model, 1);
        TrainerTest.RecordingSgd recording = new TrainerTest.RecordingSgd();
        Trainer.builder(network).optimizer(recording).build().fit(data(40));
        // 3 epochs of 40 samples in mini-batches of 8: 5 steps each; two layers with W; hidden 0.4 · 0.9^e, output 0.2
        assertEquals(30, recording.rates.size());
        for (int e = 0; e < 3; e++) {
            for (int b = 0; b < 5; b++) {
                int call = 2 * (5 * e + b);
                assertEquals(0.4 * Math.pow(0.9, e) * Math.pow(0.5, e), recording.rates.get(call), 1e-15);
                assertEquals(0.2 * Math.pow(0.5, e), recording.rates.get(call + 1), 1e-15);
            }
        }
    }

    @Test
    void earlyStoppingCountsEpochsWithoutImprovementAsKerasDoes() {
        Network network = Network.create(model(OptimizerSpec.SGD, null), 1);
        EarlyStopping patient = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY), network);
        double[] accuracy = {0.5, 0.7, 0.7, 0.6, 0.8};
        boolean[] best = {true, true, false, false};
        for (int e = 0; e < 4; e++) {
            assertEquals(best[e], patient.epochTested(e, accuracy[e]), "epoch " + e + ": a tie is no improvement");
            assertEquals(e == 3, patient.exhausted(), "epoch " + e);
        }
        assertEquals(OptionalInt.of(1), patient.bestEpoch());
        assertEquals(0.7, patient.best());

        EarlyStopping impatient = new EarlyStopping(new EarlyStoppingSpec(0, EarlyStoppingSpec.TEST_COST), network);
        assertTrue(impatient.epochTested(0, 0.3));
        assertFalse(impatient.exhausted(), "an improvement never stops training");
        assertTrue(impatient.epochTested(1, 0.2), "lower cost is better");
        assertFalse(impatient.epochTested(2, Double.NaN), "NaN is never better");
        assertTrue(impatient.exhausted(), "patience 0: the first epoch without improvement");
    }

    /**
     * With the test results scripted per epoch (a listener tells them), training stops after the epoch that
     * exhausts the patience, and the best epoch's parameters are those of a plain run of that many epochs.
     */
    @Test
    void trainingStopsWhenThePatienceRunsOutAndTheBestEpochIsKept() {
        double[] accuracy = {0.5, 0.8, 0.7, 0.75, 0.9, 0.95};                   // best: epoch 1; exhausted after 3
        ModelSpec model = model(new OptimizerSpec.Adam(), new ScheduleSpec.Cosine(0));
        Network network = Network.create(model, 2);
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY), network);
        Trainer trainer = Trainer.builder(network).epochs(6).shuffle(3).earlyStopping(stopping)
                .listener(scripted(stopping, accuracy)).build();
        List<EpochResult> results = trainer.fit(data(40));
        assertEquals(4, results.size(), "epochs 1 to 4; the patience ran out after the 4th");
        assertTrue(trainer.stoppedEarly());
        assertEquals(4, trainer.state().epoch());

        Network twoEpochs = Network.create(model, 2);                       // the same run, stopped after epoch 2
        AtomicReference<Trainer> plain = new AtomicReference<>();
        plain.set(Trainer.builder(twoEpochs).epochs(6).shuffle(3).listener(new TrainingListener() {
            @Override
            public void epochFinished(EpochResult result) {
                if (result.epoch() == 1) {
                    plain.get().requestStop();
                }
            }
        }).build());
        assertEquals(2, plain.get().fit(data(40)).size());
        assertFalse(sameParameters(twoEpochs, network), "training went on after the best epoch");
        assertEquals(OptionalInt.of(1), stopping.restoreBest());
        assertTrue(sameParameters(twoEpochs, network), "the best epoch's parameters, bit for bit");
    }

    /**
     * An early stopping that ran out of patience before (told by hand, or in an earlier fit) starts again with
     * every fit: it does not stop the new training before its first epoch.
     */
    @Test
    void everyFitStartsEarlyStoppingAgain() {
        double[] accuracy = {0.5, 0.4, 0.3};                                   // patience 1: exhausted after epoch 2
        Network network = Network.create(model(OptimizerSpec.SGD, null), 2);
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(1, EarlyStoppingSpec.TEST_ACCURACY), network);
        stopping.epochTested(0, 0.9);
        stopping.epochTested(1, 0.8);
        assertTrue(stopping.exhausted());
        Trainer trainer = Trainer.builder(network).earlyStopping(stopping).listener(scripted(stopping, accuracy))
                .build();
        assertEquals(2, trainer.fit(data(40)).size(), "epochs 1 and 2, tested from nothing");
        assertEquals(OptionalInt.of(0), stopping.bestEpoch());
        assertEquals(0.5, stopping.best());
        assertEquals(2, trainer.fit(data(40)).size(), "a second fit tests from nothing again");
        assertTrue(trainer.stoppedEarly());
    }

    @Test
    void theTrainerTestsItselfWhenGivenATestSetAndRefusesToGuess() {
        Network network = Network.create(model(OptimizerSpec.SGD, null), 2);
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(5, EarlyStoppingSpec.TEST_COST), network);
        List<Double> costs = new ArrayList<>();                  // what the trainer's own test must find, per epoch
        Trainer.builder(network).earlyStopping(stopping, data(20)).listener(new TrainingListener() {
            @Override
            public void epochFinished(EpochResult result) {
                costs.add(network.evaluate(data(20), 256).meanCost());
            }
        }).build().fit(data(40));
        assertTrue(stopping.tested(2), "every epoch tested");
        int best = costs.indexOf(costs.stream().min(Double::compare).orElseThrow());
        assertEquals(OptionalInt.of(best), stopping.bestEpoch(), costs.toString());
        assertEquals(costs.get(best), stopping.best(), 0.0);

        Network other = Network.create(model(OptimizerSpec.SGD, null), 2);
        EarlyStopping untold = new EarlyStopping(new EarlyStoppingSpec(1, EarlyStoppingSpec.TEST_COST), other);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.builder(other).earlyStopping(untold).build().fit(data(40)));
        assertEquals("early stopping was not told epoch 1's test result: give the trainer the test set"
                + " (earlyStopping(stopping, test)) or call stopping.epochTested from a listener", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(network).earlyStopping(untold));
    }

    /**
     * Resumed from any of its checkpoints (mid-epoch ones too), an Adam run under a cosine schedule stops at the
     * same epoch, bit for bit with the same last parameters, and keeps the same best parameters.
     */
    @Test
    void aResumedRunStopsWhereTheUninterruptedOneStopsAndKeepsTheSameBest() {
        double[] accuracy = {0.5, 0.8, 0.7, 0.75, 0.9, 0.95};
        ModelSpec model = model(new OptimizerSpec.Adam(), new ScheduleSpec.Cosine(0.1));
        Network uninterrupted = Network.create(model, 4);
        EarlyStopping first = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY),
                uninterrupted);
        Trainer.builder(uninterrupted).epochs(6).earlyStopping(first).listener(scripted(first, accuracy)).build()
                .fit(data(40));
        Network last = copy(uninterrupted);
        first.restoreBest();

        Network checkpointed = Network.create(model, 4);
        EarlyStopping second = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY),
                checkpointed);
        List<Path> files = new ArrayList<>();
        Trainer.builder(checkpointed).epochs(6).earlyStopping(second).listener(scripted(second, accuracy))
                .checkpoint(CheckpointInterval.everyBatches(3), state -> {
                    Path file = dir.resolve(files.size() + ".checkpoint");
                    Checkpoint.save(file, checkpointed, state, Map.of());
                    files.add(file);
                }).build().fit(data(40));
        assertEquals(6, files.size(), "20 mini-batches, one checkpoint every 3");
        for (Path file : files) {
            Checkpoint checkpoint = Checkpoint.load(file);
            Network network = checkpoint.network();
            EarlyStopping resumed = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY),
                    network);
            Trainer trainer = Trainer.builder(network).epochs(6).earlyStopping(resumed)
                    .listener(scripted(resumed, accuracy)).resume(checkpoint.state()).build();
            assertSameState(checkpoint.state(), trainer.state(), "before fit, resumed from " + file);
            trainer.fit(data(40));
            assertTrue(trainer.stoppedEarly(), file.toString());
            assertTrue(sameParameters(last, network), "the last parameters, resumed from " + file);
            assertEquals(OptionalInt.of(1), resumed.restoreBest());
            assertTrue(sameParameters(uninterrupted, network), "the best parameters, resumed from " + file);
        }
        EarlyStopping cost = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_COST),
                Checkpoint.load(files.get(2)).network());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cost.restore(Checkpoint.load(files.get(2)).state().earlyStopping()));
        assertEquals("the checkpoint's early stopping watched testAccuracy, this run's watches testCost",
                e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------------

    /** [6, 1, 1] → dense 5 (λ 0.4, decay 0.9) → output 2 (λ 0.2); 3 epochs of mini-batches of 8. */
    static ModelSpec model(OptimizerSpec optimizer, ScheduleSpec schedule) {
        NetworkSpec network = NetworkSpec.builder().hyperparams(3, 1000, 8).optimizer(optimizer).schedule(schedule)
                .layer(new io.richard.api.spec.DenseLayerSpec(5, 0.4, 0.9, 0)).output(2, 0.2);
        return ModelSpec.of(List.of("a", "b"), Shape.flat(6), new Normalization(0, 1), network);
    }

    /** {@code n} samples of 2 classes, class 1 with larger values. */
    static InMemoryDataSet data(int n) {
        Random random = new Random(n);
        float[][] x = new float[n][6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int v = 0; v < 6; v++) {
                x[i][v] = random.nextFloat() * 0.6f + 0.4f * labels[i];
            }
        }
        return InMemoryDataSet.of(List.of("a", "b"), Shape.flat(6), x, labels);
    }

    /** A listener that tells {@code stopping} the scripted accuracy of every epoch that ends complete. */
    private static TrainingListener scripted(EarlyStopping stopping, double[] accuracy) {
        return new TrainingListener() {
            @Override
            public void epochFinished(EpochResult result) {
                if (!result.stopped()) {
                    stopping.epochTested(result.epoch(), accuracy[result.epoch()]);
                }
            }
        };
    }

    /** The same position, optimiser state and early stopping state, every number exactly. */
    private static void assertSameState(TrainingState expected, TrainingState actual, String what) {
        assertEquals(List.of(expected.epoch(), expected.batch(), expected.samples()),
                List.of(actual.epoch(), actual.batch(), actual.samples()), what + ": position");
        assertEquals(expected.cost(), actual.cost(), 0.0, what + ": cost");
        assertEquals(expected.shuffleSeed(), actual.shuffleSeed(), what);
        assertEquals(expected.optimizer(), actual.optimizer(), what);
        assertSameArrays(expected.optimizerState(), actual.optimizerState(), what + ": optimiser state");
        EarlyStopping.State e = expected.earlyStopping();
        EarlyStopping.State a = actual.earlyStopping();
        assertEquals(List.of(e.metric(), e.bestEpoch(), e.best(), e.lastTested()),
                List.of(a.metric(), a.bestEpoch(), a.best(), a.lastTested()), what + ": early stopping");
        assertSameArrays(e.parameters(), a.parameters(), what + ": best parameters");
    }

    private static void assertSameArrays(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), what);
        expected.forEach((key, value) -> {
            assertArrayEquals(value.shape(), actual.get(key).shape(), what + " " + key);
            assertArrayEquals(value.dup().data().asDouble(), actual.get(key).dup().data().asDouble(), 0.0,
                    what + " " + key);
        });
    }

    private static boolean sameParameters(Network a, Network b) {
        for (int l = 0; l < a.layers().size(); l++) {
            List<Parameter> x = a.layers().get(l).parameters();
            List<Parameter> y = b.layers().get(l).parameters();
            for (int p = 0; p < x.size(); p++) {
                if (!java.util.Arrays.equals(x.get(p).value().dup().data().asFloat(),
                        y.get(p).value().dup().data().asFloat())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Network copy(Network network) {
        return network.copyWith(network.model());
    }
}
