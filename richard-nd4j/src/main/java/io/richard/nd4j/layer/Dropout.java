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
 */
final class Dropout {

    private final double rate;
    private final Random random;

    Dropout(double rate, long seed) {
        this.rate = rate;
        this.random = rate > 0 ? Nd4j.getRandomFactory().getNewRandomInstance(seed) : null;
    }

    boolean active() {
        return rate > 0;
    }

    /** Fills {@code mask} with a new draw: 1 / (1 − p) where kept, 0 where dropped; returns it. */
    INDArray mask(INDArray mask) {
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1.0 - rate), random);
        return mask.divi(1.0 - rate);
    }
}
