package io.richard.nd4j.layer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout, done as the reference intends but not as it does: in training each activation is kept with
 * probability 1 − p and scaled by 1 / (1 − p), so the expected activation is unchanged and inference needs no
 * scaling; the same mask multiplies the incoming gradient in the backward pass, so a dropped unit neither
 * contributes to nor learns from that sample.
 *
 * <p>Every mask is a pure function of the layer's seed and the training position: inside a {@link TrainingStep}
 * (what the trainer sets) the epoch and mini-batch index, otherwise the number of masks this layer has drawn.
 * So a run resumed from a checkpoint draws exactly the masks the uninterrupted run would have drawn, and a
 * checkpoint needs no generator state.
 */
final class Dropout {

    private final double rate;
    private final long seed;
    private final Random random;
    private long draws;

    Dropout(double rate, long seed) {
        this.rate = rate;
        this.seed = seed;
        this.random = rate > 0 ? Nd4j.getRandomFactory().getNewRandomInstance(seed) : null;
    }

    boolean active() {
        return rate > 0;
    }

    /** Fills {@code mask} with the draw of the current position: 1 / (1 − p) where kept, 0 where dropped. */
    INDArray mask(INDArray mask) {
        random.setSeed(TrainingStep.maskSeed(seed, draws++));
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1.0 - rate), random);
        return mask.divi(1.0 - rate);
    }
}
