package io.richard.nd4j.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seeds of the dropout masks: a function of the layer's seed and the training position (or of the layer's own
 * count of masks when no position is set) that gives every position its own seed, and seeds of neighbouring
 * positions that look independent (about half their 64 bits differ, about half are set), as a mixing function
 * must for the masks drawn from them to be unrelated.
 */
class TrainingStepTest {

    @AfterEach
    void clear() {
        TrainingStep.clear();
    }

    @Test
    void everyPositionAndLayerSeedHasItsOwnMaskSeed() {
        Set<Long> seeds = new HashSet<>();
        int count = 0;
        for (long layer : new long[] {0, 1, 7, -3, 1L << 40}) {
            for (int epoch = 0; epoch < 20; epoch++) {
                for (int batch = 0; batch < 60; batch++) {
                    TrainingStep.set(epoch, batch);
                    seeds.add(TrainingStep.maskSeed(layer, 0));
                    count++;
                }
            }
            TrainingStep.clear();
            for (long counter = 0; counter < 1200; counter++) {
                seeds.add(TrainingStep.maskSeed(layer, counter));
                count++;
            }
        }
        assertEquals(count, seeds.size(), "no two positions, counters or layers share a mask seed");
    }

    @Test
    void thePositionDecidesNotTheCounterWhileItIsSet() {
        TrainingStep.set(3, 5);
        long seed = TrainingStep.maskSeed(11, 0);
        assertEquals(seed, TrainingStep.maskSeed(11, 99), "the counter is ignored while a position is set");
        TrainingStep.set(3, 5);
        assertEquals(seed, TrainingStep.maskSeed(11, 1));
        TrainingStep.clear();
        assertNotEquals(seed, TrainingStep.maskSeed(11, 0), "after clear the counter decides again");
        assertEquals(TrainingStep.maskSeed(11, 4), TrainingStep.maskSeed(11, 4));
    }

    @Test
    void neighbouringPositionsGiveSeedsThatLookIndependent() {
        long differing = 0;
        long set = 0;
        int pairs = 0;
        for (int epoch = 0; epoch < 10; epoch++) {
            for (int batch = 0; batch < 100; batch++) {
                TrainingStep.set(epoch, batch);
                long a = TrainingStep.maskSeed(42, 0);
                TrainingStep.set(epoch, batch + 1);
                long nextBatch = TrainingStep.maskSeed(42, 0);
                TrainingStep.set(epoch + 1, batch);
                long nextEpoch = TrainingStep.maskSeed(42, 0);
                long otherLayer = TrainingStep.maskSeed(43, 0);
                differing += Long.bitCount(a ^ nextBatch) + Long.bitCount(nextEpoch ^ a)
                        + Long.bitCount(nextEpoch ^ otherLayer);
                set += Long.bitCount(a);
                pairs += 3;
            }
        }
        TrainingStep.clear();
        for (long counter = 0; counter < 1000; counter++) {
            differing += Long.bitCount(TrainingStep.maskSeed(42, counter) ^ TrainingStep.maskSeed(42, counter + 1));
            pairs++;
        }
        // independent 64-bit values differ in 32 bits on average, with a standard deviation of 4 per pair:
        // over thousands of pairs the mean is within 0.5 of 32 (more than 8 standard errors)
        double meanDiffering = (double) differing / pairs;
        double meanSet = set / 1000.0;
        assertTrue(Math.abs(meanDiffering - 32) < 0.5, "bits differing between neighbours: " + meanDiffering);
        assertTrue(Math.abs(meanSet - 32) < 0.8, "bits set: " + meanSet);
    }
}
