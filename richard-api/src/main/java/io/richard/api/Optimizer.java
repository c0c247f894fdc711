package io.richard.api;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Updates parameters in place from the gradients of the last backward pass. */
public interface Optimizer {

    /**
     * Applies one update step to each parameter using its current gradient.
     *
     * @param parameters   the parameters of one layer
     * @param learningRate the step size λ for this layer in the current epoch
     */
    void update(List<Parameter> parameters, double learningRate);

    /** A short name stored in checkpoints, so that a checkpoint is resumed with the optimiser that wrote it. */
    default String name() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The optimiser's state that a checkpoint must keep to resume exactly (e.g. momentum arrays), by name;
     * empty for plain SGD, which has none.
     */
    default Map<String, INDArray> state() {
        return Map.of();
    }

    /**
     * Restores what {@link #state()} returned when the checkpoint was written.
     *
     * @throws IllegalArgumentException if the state is not one this optimiser can have
     */
    default void restore(Map<String, INDArray> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(name() + " keeps no state, but the checkpoint holds " + state.keySet());
        }
    }
}
