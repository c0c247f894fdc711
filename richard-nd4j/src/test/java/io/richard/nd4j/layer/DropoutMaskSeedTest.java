package io.richard.nd4j.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import io.richard.api.Mode;
import org.junit.jupiter.api.Test;

/**
 * The seeds of the dropout masks: a function of the layer's seed and the training step of the pass (or of the
 * layer's own count of masks for a training pass outside a training run) that gives every step its own seed, and
 * seeds of neighbouring steps that look independent (about half their 64 bits differ, about half are set), as a
 * mixing function must for the masks drawn from them to be unrelated.
 */
class DropoutMaskSeedTest {

    @Test
    void everyStepCounterAndLayerSeedHasItsOwnMaskSeed() {
        Set<Long> seeds = new HashSet<>();
        int count = 0;
        for (long layer : new long[] {0, 1, 7, -3, 1L << 40}) {
            for (int epoch = 0; epoch < 20; epoch++) {
                for (int batch = 0; batch < 60; batch++) {
                    seeds.add(Dropout.maskSeed(layer, Mode.training(epoch, batch), 0));
                    count++;
                }
            }
            for (long counter = 0; counter < 1200; counter++) {
                seeds.add(Dropout.maskSeed(layer, Mode.TRAINING, counter));
                count++;
            }
        }
        assertEquals(count, seeds.size(), "no two steps, counters or layers share a mask seed");
    }

    @Test
    void theStepDecidesNotTheCounterWhenThereIsOne() {
        long seed = Dropout.maskSeed(11, Mode.training(3, 5), 0);
        assertEquals(seed, Dropout.maskSeed(11, Mode.training(3, 5), 99), "the counter is ignored for a step");
        assertEquals(seed, Dropout.maskSeed(11, Mode.training(3, 5), 1));
        assertNotEquals(seed, Dropout.maskSeed(11, Mode.TRAINING, 0), "outside a training run the counter decides");
        assertEquals(Dropout.maskSeed(11, Mode.TRAINING, 4), Dropout.maskSeed(11, Mode.TRAINING, 4));
    }

    /**
     * The seeds the previous versions drew (from a thread-local position): a checkpoint written by them resumes
     * with the masks the uninterrupted run would have drawn.
     */
    @Test
    void theSeedsAreTheOnesEarlierVersionsDrew() {
        assertEquals(6392897254646273319L, Dropout.maskSeed(42, Mode.training(0, 0), 77));
        assertEquals(5731086392124122841L, Dropout.maskSeed(42, Mode.training(3, 5), 77));
        assertEquals(-7820585860423423102L, Dropout.maskSeed(7, Mode.training(0, 1), 77));
        assertEquals(-5904483175759683825L, Dropout.maskSeed(-3, Mode.training(19, 1874), 77));
        assertEquals(-2132855329899886958L, Dropout.maskSeed(1L << 40, Mode.training(2, 0), 77));
        assertEquals(2607196425784385305L, Dropout.maskSeed(42, Mode.TRAINING, 0));
        assertEquals(-7604428632079997394L, Dropout.maskSeed(42, Mode.TRAINING, 1));
        assertEquals(-5418473193890581096L, Dropout.maskSeed(-3, Mode.TRAINING, 1000));
    }

    @Test
    void neighbouringStepsGiveSeedsThatLookIndependent() {
        long differing = 0;
        long set = 0;
        int pairs = 0;
        for (int epoch = 0; epoch < 10; epoch++) {
            for (int batch = 0; batch < 100; batch++) {
                long a = Dropout.maskSeed(42, Mode.training(epoch, batch), 0);
                long nextBatch = Dropout.maskSeed(42, Mode.training(epoch, batch + 1), 0);
                long nextEpoch = Dropout.maskSeed(42, Mode.training(epoch + 1, batch), 0);
                long otherLayer = Dropout.maskSeed(43, Mode.training(epoch + 1, batch), 0);
                differing += Long.bitCount(a ^ nextBatch) + Long.bitCount(nextEpoch ^ a)
                        + Long.bitCount(nextEpoch ^ otherLayer);
                set += Long.bitCount(a);
                pairs += 3;
            }
        }
        for (long counter = 0; counter < 1000; counter++) {
            differing += Long.bitCount(Dropout.maskSeed(42, Mode.TRAINING, counter)
                    ^ Dropout.maskSeed(42, Mode.TRAINING, counter + 1));
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
