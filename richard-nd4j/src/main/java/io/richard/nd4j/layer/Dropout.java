package io.richard.nd4j.layer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import io.richard.api.Mode;
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
 * <p>Every mask is a pure function of the layer's seed and the training step the forward pass is given: for a pass
 * of a training run ({@link Mode#training(int, int)}, what the trainer passes) the epoch and the mini-batch index;
 * for a training pass outside a run ({@link Mode#TRAINING}) the number of masks this layer drew before. So a run
 * resumed from a checkpoint draws exactly the masks the uninterrupted run would have drawn, and a checkpoint needs
 * no generator state.
 */
final class Dropout {

    private final double rate;
    private final long seed;
    private final Random random;
    private long draws;
    /** The mask, the dropped activations and the gated gradient, one array per name and shape, reused. */
    private final Map<String, INDArray> arrays = new HashMap<>();
    /** The mask of the last training pass. */
    private INDArray mask;

    Dropout(double rate, long seed) {
        this.rate = rate;
        this.seed = seed;
        this.random = rate > 0 ? Nd4j.getRandomFactory().getNewRandomInstance(seed) : null;
    }

    boolean active() {
        return rate > 0;
    }

    /**
     * In a training pass with dropout, a ⊙ a new mask (1 / (1 − p) where a unit is kept, 0 where it is dropped);
     * otherwise {@code a} itself.
     */
    INDArray apply(INDArray a, Mode mode) {
        if (!active() || !mode.isTraining()) {
            return a;
        }
        mask = mask(array("mask", a), mode);
        return array("dropped", a).assign(a).muli(mask);
    }

    /** ∇a C ⊙ the mask of the last training pass (dropped units get no gradient); ∇a C itself without dropout. */
    INDArray gate(INDArray gradA) {
        if (!active()) {
            return gradA;
        }
        return array("gated", gradA).assign(gradA).muli(mask);
    }

    /** Fills {@code mask} with the draw of the training pass {@code mode}: 1 / (1 − p) where kept, 0 where dropped. */
    private INDArray mask(INDArray mask, Mode mode) {
        random.setSeed(maskSeed(seed, mode, draws++));
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1.0 - rate), random);
        return mask.divi(1.0 - rate);
    }

    /**
     * The seed of a mask: a mix of the layer's seed and the step of a training pass of a training run, or, for a
     * training pass outside a run, of the layer's seed and {@code counter} (the layer's own count of masks).
     */
    static long maskSeed(long layerSeed, Mode mode, long counter) {
        long h = mix(layerSeed ^ 0x5DEECE66DL);
        if (!mode.hasStep()) {
            return mix(h ^ mix(counter ^ 0x632BE59BD9B4E019L));
        }
        return mix(h ^ mix(mode.epoch() * 0x9E3779B97F4A7C15L ^ mix(mode.batch() + 0x2545F4914F6CDD1DL)));
    }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The array called {@code name} shaped like {@code like} (C order), made on first use. */
    private INDArray array(String name, INDArray like) {
        return arrays.computeIfAbsent(name + like.dataType() + Arrays.toString(like.shape()),
                key -> Nd4j.create(like.dataType(), like.shape()));
    }
}
