package io.richard.api;

/**
 * What a forward pass is for: inference, or training. A training pass of a training run also says which step of
 * the run it belongs to (the epoch and the mini-batch in it), so that a layer with dropout draws the masks of that
 * step: the masks of a mini-batch then depend only on the layer's seed and the step, never on what ran before, and
 * a run resumed from a checkpoint draws exactly the masks of the uninterrupted run.
 *
 * <p>Three kinds of value: {@link #INFERENCE}; {@link #training(int, int)}, what the trainer passes for every
 * mini-batch; and {@link #TRAINING}, a training pass outside a training run (a test, a notebook), after which each
 * training pass of a layer draws that layer's next mask. Immutable; ask {@link #isTraining()} rather than comparing
 * with {@code ==}, since the passes of a training run are values of their own.
 */
public final class Mode {

    /** Pure function of the input and parameters: no state is written, safe to call from several threads. */
    public static final Mode INFERENCE = new Mode(false, -1, -1);

    /**
     * Keep z, a and masks for the backward pass and apply dropout, outside a training run: each such pass of a
     * layer draws its next mask (a function of the layer's seed and how many masks it drew before).
     */
    public static final Mode TRAINING = new Mode(true, -1, -1);

    private final boolean training;
    private final int epoch;
    private final int batch;

    private Mode(boolean training, int epoch, int batch) {
        this.training = training;
        this.epoch = epoch;
        this.batch = batch;
    }

    /**
     * A training pass of mini-batch {@code batch} of epoch {@code epoch} (both counted from 0) of a training run:
     * as {@link #TRAINING}, with the dropout masks of that step.
     */
    public static Mode training(int epoch, int batch) {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("a training step has no negative counts: epoch " + epoch
                    + ", mini-batch " + batch);
        }
        return new Mode(true, epoch, batch);
    }

    /** True for a training pass (with or without a step), false for inference. */
    public boolean isTraining() {
        return training;
    }

    /** True for a training pass of a training run, made by {@link #training(int, int)}. */
    public boolean hasStep() {
        return epoch >= 0;
    }

    /** The epoch of this training step, from 0. */
    public int epoch() {
        requireStep();
        return epoch;
    }

    /** The mini-batch of this training step within its epoch, from 0. */
    public int batch() {
        requireStep();
        return batch;
    }

    private void requireStep() {
        if (!hasStep()) {
            throw new IllegalStateException(this + " has no training step");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Mode m && m.training == training && m.epoch == epoch && m.batch == batch;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(training) * 31 * 31 + epoch * 31 + batch;
    }

    /** "inference", "training" or "training, epoch 3, mini-batch 17" (counted from 1, as users count). */
    @Override
    public String toString() {
        return !training ? "inference" : !hasStep() ? "training"
                : "training, epoch " + (epoch + 1) + ", mini-batch " + (batch + 1);
    }
}
