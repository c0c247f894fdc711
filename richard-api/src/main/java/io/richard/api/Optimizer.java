package io.richard.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A rule that updates a network's parameters in place from the gradients of the last backward pass (summed over
 * the mini-batch, as the seed's (9) and (10) sum them).
 *
 * <p>A trainer makes one <em>step</em> per mini-batch: {@link #beginStep()}, then {@link #update} once for every
 * parameter of the network, in the network's order. Each parameter comes with a <em>key</em> that names it the
 * same way in every step and in every run of the same network (e.g. {@code hiddenLayers[0].W}), and with the
 * learning rate of its layer for this step. An optimiser that keeps state per parameter (momentum's velocity,
 * Adam's moments) keeps it under that key, so the state belongs to a parameter by identity and not by the order
 * of calls; {@link #state()} hands it to a checkpoint and {@link #restore} takes it back, so that a resumed run
 * updates exactly as an uninterrupted one.
 */
public interface Optimizer {

    /**
     * Starts update step t = 1, 2, … (one per mini-batch); called before the step's {@link #update} calls. An
     * optimiser whose rule depends on t (Adam's bias correction) counts here; the count is part of its
     * {@link #state()}.
     */
    default void beginStep() {
    }

    /**
     * Updates one parameter in place from its gradient.
     *
     * @param key          the parameter's name in the network, e.g. {@code hiddenLayers[0].W}: the same in every
     *                     step and every run of the network, and the key of whatever state the optimiser keeps for it
     * @param parameter    the parameter with its gradient, summed over the mini-batch
     * @param learningRate the step size λ of the parameter's layer at this step (the layer's learnRate ·
     *                     learnRateDecay^epoch, times a schedule's factor if there is one)
     */
    void update(String key, Parameter parameter, double learningRate);

    /** A short name stored in checkpoints, so that a checkpoint is resumed with the optimiser that wrote it. */
    default String name() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The state a checkpoint must keep to resume exactly (e.g. momentum arrays per parameter key, a step count), by
     * name; empty for plain SGD, which has none. The arrays are the optimiser's own: copy them to keep them.
     */
    default Map<String, INDArray> state() {
        return Map.of();
    }

    /**
     * Restores what {@link #state()} returned when the checkpoint was written (the arrays are copied).
     *
     * @throws IllegalArgumentException if the state is not one this optimiser can have
     */
    default void restore(Map<String, INDArray> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(name() + " keeps no state, but the checkpoint holds " + state.keySet());
        }
    }
}
