package io.richard.nd4j.loss;

import io.richard.api.Activation;
import io.richard.api.Loss;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.activation.Activations;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An output layer's activation and cost together, as its description names them, and where back-propagation
 * starts:
 *
 * <ul>
 *   <li>sigmoid with the quadratic cost, the reference's: the cost gives ∇a C = a − y (17) and the output layer
 *       applies σ' to it, δ^L = ∇a C ⊙ σ'(z) (14), exactly as in the seed;</li>
 *   <li>softmax or the sigmoid with the cross-entropy cost: the cost gives δ^L = a − y itself, its fused and stable
 *       form ({@link CrossEntropyLoss}), and the output layer passes it on unchanged: its activation is the
 *       {@link #layerActivation() fused} one.</li>
 * </ul>
 */
public final class OutputCost {

    private final Activation activation;
    private final Loss loss;
    private final boolean fused;

    private OutputCost(Activation activation, Loss loss) {
        this.activation = activation;
        this.loss = loss;
        this.fused = loss.fusesWith(activation);
    }

    /** The activation and cost of an output layer's description. */
    public static OutputCost of(OutputLayerSpec spec) {
        Activation f = Activations.of(spec.activation());
        if (spec.cost().equals(OutputLayerSpec.CROSS_ENTROPY)) {
            return new OutputCost(f, f.name().equals("softmax") ? CrossEntropyLoss.CATEGORICAL
                    : CrossEntropyLoss.BINARY);
        }
        return new OutputCost(f, QuadraticLoss.INSTANCE);
    }

    /** The cost function. */
    public Loss loss() {
        return loss;
    }

    /** The activation the description names. */
    public Activation activation() {
        return activation;
    }

    /** True when back-propagation starts from the cost's δ^L rather than from ∇a C. */
    public boolean fused() {
        return fused;
    }

    /**
     * The activation the output layer is built with: the description's, or, when the cost is fused with it, the same
     * function whose {@link Activation#delta delta} passes on what it is given, since the cost has given δ^L already.
     */
    public Activation layerActivation() {
        return fused ? new Fused(activation) : activation;
    }

    /**
     * What the output layer's backward pass takes, written into {@code out}: ∇a C (17), or the fused δ^L = a − y.
     * Returns the summed cost of the mini-batch.
     */
    public double outputGradient(INDArray a, INDArray y, INDArray out) {
        return fused ? loss.deltaAndCost(a, y, out) : loss.gradientAndCost(a, y, out);
    }

    /** An activation whose backward pass receives δ^L from a cost fused with it, and passes it on unchanged. */
    private static final class Fused implements Activation {
        private final Activation f;

        Fused(Activation f) {
            this.f = f;
        }

        @Override
        public INDArray applyInPlace(INDArray z) {
            return f.applyInPlace(z);
        }

        @Override
        public INDArray derivative(INDArray a) {
            throw new UnsupportedOperationException("the " + f.name() + " of an output layer whose cost is fused with"
                    + " it has δ^L from the cost");
        }

        /** δ^L came from the cost (a − y): passed on. */
        @Override
        public INDArray delta(INDArray delta, INDArray a, INDArray out) {
            return Elementwise.copy(delta, out);
        }

        @Override
        public String name() {
            return f.name();
        }
    }
}
