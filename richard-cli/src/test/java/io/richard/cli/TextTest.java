package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How messages count. */
class TextTest {

    @Test
    void aPositionInTrainingCountsWholeEpochsAndTheSamplesOfTheNext() {
        assertEquals("1 epoch and 96 samples", Text.position(1, 96));
        assertEquals("2 epochs", Text.position(2, 0));
        assertEquals("1 sample", Text.position(0, 1));
        assertEquals("12,000 epochs and 1,024 samples", Text.position(12_000, 1024));
        assertEquals("no mini-batch", Text.position(0, 0));
    }
}
