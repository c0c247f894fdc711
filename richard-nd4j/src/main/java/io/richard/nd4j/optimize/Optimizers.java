package io.richard.nd4j.optimize;

import io.richard.api.Optimizer;
import io.richard.api.spec.OptimizerSpec;

/** The optimiser a description's {@code optimizer} section asks for. */
public final class Optimizers {

    private Optimizers() {
    }

    /** A new optimiser (with no state yet) of the description. */
    public static Optimizer of(OptimizerSpec spec) {
        if (spec instanceof OptimizerSpec.Momentum momentum) {
            return new Momentum(momentum);
        }
        if (spec instanceof OptimizerSpec.Adam adam) {
            return new Adam(adam);
        }
        if (spec instanceof OptimizerSpec.Sgd) {
            return new Sgd();
        }
        throw new IllegalArgumentException("no optimiser for " + spec);
    }

    /**
     * The arrays of a parameter's size the optimiser keeps per parameter (for memory estimates): none for SGD, the
     * velocity for momentum, the two moments and a work array for Adam.
     */
    public static int arraysPerParameter(OptimizerSpec spec) {
        if (spec instanceof OptimizerSpec.Momentum) {
            return 1;
        }
        return spec instanceof OptimizerSpec.Adam ? 3 : 0;
    }
}
