package io.richard.nd4j.layer;

/**
 * The training position (epoch and mini-batch index within the epoch) that the current thread's next
 * training-mode forward passes belong to. The {@link io.richard.nd4j.train.Trainer} sets it around every mini-batch;
 * layers with dropout derive their masks from it, so the masks of a mini-batch depend only on the layer's seed
 * and the position, never on what ran before (a resumed run reproduces an uninterrupted one exactly).
 *
 * <p>Thread-confined: several trainers may run in parallel on different threads.
 */
public final class TrainingStep {

    /** Per thread: {epoch, mini-batch, 1 if set}; reused, so setting the position allocates nothing. */
    private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[3]);

    private TrainingStep() {
    }

    /** Declares that the current thread now trains on mini-batch {@code batch} (0-based) of epoch {@code epoch}. */
    public static void set(int epoch, long batch) {
        long[] position = CURRENT.get();
        position[0] = epoch;
        position[1] = batch;
        position[2] = 1;
    }

    /** Ends the position set by {@link #set}; masks then follow a per-layer counter again. */
    public static void clear() {
        CURRENT.remove();
    }

    /**
     * The seed of a dropout mask: a mix of the layer's seed and the current position, or of the layer's seed and
     * {@code counter} (the layer's own count of masks) when no position is set.
     */
    static long maskSeed(long layerSeed, long counter) {
        long[] position = CURRENT.get();
        long h = mix(layerSeed ^ 0x5DEECE66DL);
        if (position[2] == 0) {
            return mix(h ^ mix(counter ^ 0x632BE59BD9B4E019L));
        }
        return mix(h ^ mix(position[0] * 0x9E3779B97F4A7C15L ^ mix(position[1] + 0x2545F4914F6CDD1DL)));
    }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
