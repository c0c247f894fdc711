package io.richard.api.train;

/**
 * Receives progress from a training run. Every method has an empty default, so a listener implements only what
 * it needs. Calls come from the training thread, between mini-batches.
 */
public interface TrainingListener {

    /** Epoch {@code epoch} (0-based) of {@code epochs} starts; it will consume {@code samples} samples. */
    default void epochStarted(int epoch, int epochs, int samples) {
    }

    /**
     * A mini-batch has been applied.
     *
     * @param samplesDone samples of this epoch processed so far
     * @param samples     samples this epoch will process
     * @param batchCost   summed cost of the mini-batch's samples (training-mode outputs, before the update)
     */
    default void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
    }

    /** Epoch {@code epoch} finished with the given mean per-sample cost. */
    default void epochFinished(EpochResult result) {
    }
}
