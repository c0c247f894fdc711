package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.spec.EarlyStoppingSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;

/**
 * Early stopping on its own, at its boundaries: a best result in the very first epoch (epoch 0), the value
 * {@code epochTested} returns for a test evaluation, and {@code restore} over an early stopping that already holds
 * a best epoch.
 */
class EarlyStoppingTest {

    private static final EarlyStoppingSpec ACCURACY = new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_ACCURACY);

    private final Network network = Network.create(ScheduleAndStoppingTest.model(OptimizerSpec.SGD, null), 5);

    @Test
    void aBestFirstEpochIsKeptAndRestored() {
        EarlyStopping stopping = new EarlyStopping(ACCURACY, network);
        assertSame(ACCURACY, stopping.spec());
        assertEquals(OptionalInt.empty(), stopping.bestEpoch(), "nothing tested yet");
        List<float[]> atEpoch0 = values(network);

        assertTrue(stopping.epochTested(0, 0.9));
        assertEquals(OptionalInt.of(0), stopping.bestEpoch(), "epoch 0 is an epoch");
        shift(network, 1f);
        assertFalse(stopping.epochTested(1, 0.5), "0.5 after 0.9 is no improvement");
        assertEquals(OptionalInt.of(0), stopping.bestEpoch());
        assertEquals(0.9, stopping.best());
        assertEquals(1, stopping.epochsWithoutImprovement());

        assertEquals(OptionalInt.of(0), stopping.restoreBest());
        assertArrayEquals(atEpoch0.toArray(), values(network).toArray(), "epoch 0's parameters back in the network");
    }

    @Test
    void epochTestedOfAnEvaluationSaysWhetherItIsANewBest() {
        Evaluation test = network.evaluate(ScheduleAndStoppingTest.data(20), 256);
        EarlyStopping byAccuracy = new EarlyStopping(ACCURACY, network);
        assertTrue(byAccuracy.epochTested(0, test), "the first result is the best so far");
        assertEquals(test.accuracy(), byAccuracy.best());
        assertFalse(byAccuracy.epochTested(1, test), "the same result again is a tie: no improvement");

        EarlyStopping byCost = new EarlyStopping(new EarlyStoppingSpec(2, EarlyStoppingSpec.TEST_COST), network);
        assertTrue(byCost.epochTested(0, test));
        assertEquals(test.meanCost(), byCost.best());
        assertFalse(byCost.epochTested(1, test));
    }

    @Test
    void restoringNothingOverABestEpochForgetsItsParameters() {
        EarlyStopping stopping = new EarlyStopping(ACCURACY, network);
        stopping.epochTested(0, 0.7);
        assertEquals(4, stopping.state().parameters().size(), "W and b of both layers");

        stopping.restore(null);
        assertEquals(Map.of(), stopping.state().parameters());
        assertEquals(OptionalInt.empty(), stopping.bestEpoch());
        assertEquals(-1, stopping.state().lastTested());

        stopping.epochTested(0, 0.7);
        stopping.restore(new EarlyStopping.State(EarlyStoppingSpec.TEST_ACCURACY, -1, Double.NaN, 0, Map.of()));
        assertEquals(Map.of(), stopping.state().parameters(), "a state without a best epoch holds no parameters");
        assertEquals(OptionalInt.empty(), stopping.restoreBest());
        assertTrue(stopping.tested(0));
    }

    @Test
    void aStateWhoseBestIsEpochZeroMustHoldThisNetworksParameters() {
        EarlyStopping stopping = new EarlyStopping(ACCURACY, network);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stopping.restore(
                new EarlyStopping.State(EarlyStoppingSpec.TEST_ACCURACY, 0, 0.9, 0, Map.of())));
        assertEquals("the checkpoint's best parameters are [], this network's [hiddenLayers[0].W, hiddenLayers[0].b,"
                + " outputLayer.W, outputLayer.b]", e.getMessage());
    }

    private static List<float[]> values(Network network) {
        List<float[]> values = new ArrayList<>();
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                values.add(p.value().dup().data().asFloat());
            }
        }
        return values;
    }

    /** Adds {@code delta} to every parameter, as a training epoch would move them. */
    private static void shift(Network network, float delta) {
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                p.value().addi(delta);
            }
        }
    }
}
