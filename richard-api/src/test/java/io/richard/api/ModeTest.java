package io.richard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The three kinds of forward pass: inference, training outside a run, and a training step of a run. */
class ModeTest {

    @Test
    void aTrainingStepIsATrainingPassThatKnowsItsEpochAndMiniBatch() {
        Mode step = Mode.training(3, 17);
        assertTrue(step.isTraining());
        assertTrue(step.hasStep());
        assertEquals(3, step.epoch());
        assertEquals(17, step.batch());
        assertEquals("training, epoch 4, mini-batch 18", step.toString());
        assertEquals(Mode.training(0, 0).toString(), "training, epoch 1, mini-batch 1");
    }

    @Test
    void inferenceAndTrainingOutsideARunHaveNoStep() {
        assertFalse(Mode.INFERENCE.isTraining());
        assertFalse(Mode.INFERENCE.hasStep());
        assertTrue(Mode.TRAINING.isTraining());
        assertFalse(Mode.TRAINING.hasStep());
        assertEquals("inference", Mode.INFERENCE.toString());
        assertEquals("training", Mode.TRAINING.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, Mode.TRAINING::epoch);
        assertEquals("training has no training step", e.getMessage());
        assertThrows(IllegalStateException.class, Mode.INFERENCE::batch);
    }

    @Test
    void stepsAreValuesEqualWhenTheirEpochAndMiniBatchAre() {
        assertEquals(Mode.training(2, 5), Mode.training(2, 5));
        assertEquals(Mode.training(2, 5).hashCode(), Mode.training(2, 5).hashCode());
        assertNotEquals(Mode.training(2, 5), Mode.training(5, 2));
        assertNotEquals(Mode.training(2, 5), Mode.training(2, 6));
        assertNotEquals(Mode.training(0, 0), Mode.TRAINING);
        assertNotEquals(Mode.TRAINING, Mode.INFERENCE);
        assertNotEquals(Mode.training(0, 0).hashCode(), Mode.TRAINING.hashCode());
    }

    @Test
    void negativeCountsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mode.training(-1, 0));
        assertEquals("a training step has no negative counts: epoch -1, mini-batch 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mode.training(0, -1));
    }
}
