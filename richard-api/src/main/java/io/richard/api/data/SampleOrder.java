package io.richard.api.data;

import java.util.OptionalLong;

/**
 * The order in which a data set's samples are visited in one pass: data order (the reference's only order), or
 * a permutation drawn from a seed.
 *
 * @param shuffleSeed the seed of the permutation, or empty for data order
 */
public record SampleOrder(OptionalLong shuffleSeed) {

    public static SampleOrder sequential() {
        return new SampleOrder(OptionalLong.empty());
    }

    public static SampleOrder shuffled(long seed) {
        return new SampleOrder(OptionalLong.of(seed));
    }

    public boolean isShuffled() {
        return shuffleSeed.isPresent();
    }
}
