package io.richard.nd4j.train;

import java.util.function.Supplier;

/**
 * When training hands its state to the checkpoint sink, and what it checks first: every {@link CheckpointInterval}
 * (N epochs, after an epoch completes, or N mini-batches counted from the start of {@link Trainer#fit}), and only
 * when every parameter is finite, so that no checkpoint ever holds NaN or infinite values (training stops with a
 * {@link io.richard.api.train.TrainingDivergedException} instead).
 */
final class CheckpointPolicy {

    private final CheckpointInterval interval;              // null: no checkpoints
    private final Trainer.CheckpointSink sink;
    private final Divergence divergence;
    private final Supplier<TrainingState> state;
    private long batchesRun;                                // mini-batches applied since fit started

    /**
     * @param interval   how often, or null for never
     * @param sink       what writes a checkpoint (unused when {@code interval} is null)
     * @param divergence the check that the parameters are finite
     * @param state      where training stands, read when a checkpoint is due
     */
    CheckpointPolicy(CheckpointInterval interval, Trainer.CheckpointSink sink, Divergence divergence,
            Supplier<TrainingState> state) {
        this.interval = interval;
        this.sink = sink;
        this.divergence = divergence;
        this.state = state;
    }

    /** A new {@link Trainer#fit}: mini-batches are counted from here. */
    void restart() {
        batchesRun = 0;
    }

    /** Mini-batch {@code batch} (0-based) of {@code epoch} was applied: writes if N mini-batches are due. */
    void batchApplied(int epoch, int batch) {
        batchesRun++;
        if (interval != null && !interval.epochs() && batchesRun % interval.count() == 0) {
            write(epoch, batch);
        }
    }

    /** Epoch {@code epoch} (0-based) ran to its end, its last mini-batch {@code lastBatch}: writes if N epochs are due. */
    void epochCompleted(int epoch, int lastBatch) {
        if (interval != null && interval.epochs() && (epoch + 1) % interval.count() == 0) {
            write(epoch, lastBatch);
        }
    }

    private void write(int epoch, int lastBatch) {
        divergence.requireFiniteParameters(epoch, lastBatch);
        sink.write(state.get());
    }
}
