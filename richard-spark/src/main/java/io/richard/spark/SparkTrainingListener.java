package io.richard.spark;

import io.richard.api.train.TrainingListener;

/**
 * A {@link TrainingListener} that also hears about every round. A {@link SparkTrainer} calls a plain
 * {@code TrainingListener} as the single-machine trainer does, with one {@code batchDone} per round (its samples
 * and summed cost); this one gets {@link #roundFinished} too, right after it. Calls come from the driver's thread
 * that runs {@link SparkTrainer#fit}.
 */
public interface SparkTrainingListener extends TrainingListener {

    /** A round's averaged parameters are in the network. */
    default void roundFinished(RoundResult round) {
    }
}
