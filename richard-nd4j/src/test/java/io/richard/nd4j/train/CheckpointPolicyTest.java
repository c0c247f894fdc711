package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.train.TrainingDivergedException;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * When a checkpoint is due: every N mini-batches counted from the start of a fit (across epoch ends), or at the end
 * of every N-th epoch; never without an interval; and never with parameters that are not finite.
 */
class CheckpointPolicyTest {

    private static final NetworkSpec SPEC = NetworkSpec.builder().hyperparams(5, 16, 4).dense(3, 0.1).output(2, 0.1);

    private final Network network = Network.create(Shape.flat(4), SPEC, 1, DataType.FLOAT);
    private final Divergence divergence = new Divergence(network, SPEC.hyperparams());
    /** "epoch.batch" of each state written; the state supplier reads the position the test last set. */
    private final List<String> written = new ArrayList<>();
    private int epoch;
    private int batch;

    private CheckpointPolicy policy(CheckpointInterval interval) {
        return new CheckpointPolicy(interval, state -> written.add(state.epoch() + "." + state.batch()), divergence,
                () -> new TrainingState(epoch, batch, batch, 0, OptionalLong.empty(), "sgd", java.util.Map.of()));
    }

    /** Runs {@code epochs} epochs of 4 mini-batches through the policy, as the trainer reports them. */
    private void run(CheckpointPolicy policy, int firstEpoch, int epochs) {
        policy.restart();
        for (epoch = firstEpoch; epoch < firstEpoch + epochs; epoch++) {
            for (int b = 0; b < 4; b++) {
                batch = b + 1;
                policy.batchApplied(epoch, b);
            }
            policy.epochCompleted(epoch, 3);
        }
    }

    @Test
    void everyNMiniBatchesCountsFromTheStartOfFitAcrossEpochEnds() {
        CheckpointPolicy policy = policy(CheckpointInterval.everyBatches(3));
        run(policy, 0, 3);                                     // 12 mini-batches: after the 3rd, 6th, 9th and 12th
        assertEquals(List.of("0.3", "1.2", "2.1", "2.4"), written);
        written.clear();
        run(policy, 3, 1);                                     // a new fit counts from 0 again
        assertEquals(List.of("3.3"), written);
    }

    @Test
    void everyNEpochsWritesAtTheEndOfEveryNthEpochCountedFromTheFirst() {
        run(policy(CheckpointInterval.everyEpochs(2)), 0, 5);
        assertEquals(List.of("1.4", "3.4"), written);
        written.clear();
        run(policy(CheckpointInterval.everyEpochs(1)), 2, 2);   // a resumed run: epochs 3 and 4 (0-based 2, 3)
        assertEquals(List.of("2.4", "3.4"), written);
        written.clear();
        run(policy(CheckpointInterval.everyEpochs(3)), 0, 7);   // after epochs 3 and 6 (0-based 2, 5)
        assertEquals(List.of("2.4", "5.4"), written);
    }

    @Test
    void withoutAnIntervalNothingIsWritten() {
        run(policy(null), 0, 3);
        assertEquals(List.of(), written);
    }

    @Test
    void aParameterThatIsNotFiniteStopsTrainingInsteadOfACheckpoint() {
        CheckpointPolicy policy = policy(CheckpointInterval.everyBatches(2));
        policy.restart();
        policy.batchApplied(0, 0);
        network.layers().get(1).parameters().get(1).value().putScalar(0, Float.NaN);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> policy.batchApplied(0, 1));
        assertEquals(List.of(), written);
        assertEquals(0, e.epoch());
        assertEquals(1, e.batch());
        assertEquals("outputLayer", e.layer());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, mini-batch 2: its update left outputLayer"
                + " (output) parameter b holds NaN values; no checkpoint was written with them."), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------------
    // The same intervals as a trainer keeps them

    /** 6 inputs → dense 5 → output 2 (SGD), mini-batches of 8; 16 samples: 2 mini-batches per epoch. */
    private static Network small() {
        return Network.create(ScheduleAndStoppingTest.model(OptimizerSpec.SGD, null), 1);
    }

    private static List<String> positions(List<TrainingState> states) {
        return states.stream().map(s -> s.epoch() + "." + s.batch()).toList();
    }

    @Test
    void aTrainerWritesAtTheEndOfEveryThirdEpoch() {
        List<TrainingState> states = new ArrayList<>();
        Trainer.builder(small()).epochs(7).checkpoint(CheckpointInterval.everyEpochs(3), states::add).build()
                .fit(ScheduleAndStoppingTest.data(16));
        // after epochs 3 and 6 (of 7): the position to resume from is the start of the 4th and of the 7th
        assertEquals(List.of("3.0", "6.0"), positions(states));
    }

    @Test
    void everyFitOfATrainerCountsItsMiniBatchesFromZero() {
        List<TrainingState> states = new ArrayList<>();
        Trainer trainer = Trainer.builder(small()).epochs(2).checkpoint(CheckpointInterval.everyBatches(3), states::add)
                .build();
        trainer.fit(ScheduleAndStoppingTest.data(16));          // 4 mini-batches: one checkpoint, after the 3rd
        assertEquals(List.of("1.1"), positions(states));
        trainer.fit(ScheduleAndStoppingTest.data(16));          // 4 more, counted again from the first
        assertEquals(List.of("1.1", "1.1"), positions(states));
    }

    /**
     * Epochs of one mini-batch whose update (λ = 1e300) leaves the parameters infinite: the checkpoint due at the end
     * of the first epoch is refused, naming that epoch and its last (only) mini-batch.
     */
    @Test
    void anEpochCheckpointOfParametersThatAreNotFiniteStopsTrainingAtThatEpochsLastMiniBatch() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(3, 16, 16).dense(3, 1e300).output(2, 1e300);
        Network exploding = Network.create(ModelSpec.of(List.of("a", "b"), Shape.flat(6), new Normalization(0, 1),
                spec), 1);
        List<TrainingState> states = new ArrayList<>();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> Trainer.builder(exploding)
                .checkpoint(CheckpointInterval.everyEpochs(1), states::add).build()
                .fit(ScheduleAndStoppingTest.data(16)));
        assertEquals(List.of(), states);
        assertEquals(0, e.epoch());
        assertEquals(0, e.batch());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, mini-batch 1: its update left"),
                e.getMessage());
        assertTrue(e.getMessage().contains("no checkpoint was written with them"), e.getMessage());
    }
}
