package io.richard.nd4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import io.richard.nd4j.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a training run stands, besides the parameters: everything a checkpoint needs so that a resumed run
 * continues exactly as the uninterrupted run would have.
 *
 * <p>Dropout needs no generator state here: its masks are a function of the layer's seed, the epoch and the
 * mini-batch index, which the trainer passes to every forward pass ({@link io.richard.api.Mode#training}); the
 * layer seeds follow from {@link Network#seed()}, which a checkpoint stores beside this state. The shuffle of an
 * epoch is a function of the shuffle seed and the epoch.
 *
 * @param epoch          the 0-based epoch to run next (equal to the number of epochs planned when training is
 *                       complete)
 * @param batch          mini-batches of that epoch already applied
 * @param samples        samples of that epoch already applied
 * @param cost           the summed cost of those samples, so the epoch's mean cost comes out as in one run
 * @param shuffleSeed    the seed of the per-epoch permutations, or empty for data order
 * @param optimizer      the {@link io.richard.api.Optimizer#name()} of the optimiser
 * @param optimizerState its {@link io.richard.api.Optimizer#state()} (empty for SGD)
 * @param earlyStopping  where {@link EarlyStopping} stands, with the best epoch's parameters; null without it
 */
public record TrainingState(int epoch, int batch, int samples, double cost, OptionalLong shuffleSeed,
                            String optimizer, Map<String, INDArray> optimizerState,
                            EarlyStopping.State earlyStopping) {

    public TrainingState {
        if (epoch < 0 || batch < 0 || samples < 0) {
            throw new IllegalArgumentException("a training position has no negative counts: epoch " + epoch
                    + ", mini-batch " + batch + ", samples " + samples);
        }
        if (batch > samples) {
            throw new IllegalArgumentException(batch + " mini-batches cannot hold only " + samples + " samples");
        }
        shuffleSeed = shuffleSeed == null ? OptionalLong.empty() : shuffleSeed;
        optimizerState = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerState));
    }

    /** A state without early stopping. */
    public TrainingState(int epoch, int batch, int samples, double cost, OptionalLong shuffleSeed, String optimizer,
                         Map<String, INDArray> optimizerState) {
        this(epoch, batch, samples, cost, shuffleSeed, optimizer, optimizerState, null);
    }

    /** The start of training: epoch 0, nothing done. */
    public static TrainingState start(OptionalLong shuffleSeed, String optimizer) {
        return new TrainingState(0, 0, 0, 0, shuffleSeed, optimizer, Map.of());
    }

    /**
     * Where this is, as users count (from 1): "epoch 3 after mini-batch 17 (68 samples)", "the end of epoch 2" or
     * "the start of training".
     */
    public String describe() {
        if (batch == 0) {
            return epoch == 0 ? "the start of training" : "the end of epoch " + epoch;
        }
        return "epoch " + (epoch + 1) + " after mini-batch " + batch + " (" + samples + " samples)";
    }
}
