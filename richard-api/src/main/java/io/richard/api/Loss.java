package io.richard.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A cost function C(a, y) of a network output a and its target y, with its gradient ∇a C, from which the output
 * layer's delta follows by (14), δ^L = ∇a C ⊙ f'(z^L). A cost may also have a <em>fused</em> form with the output
 * layer's activation f: δ^L = ∂C/∂z^L computed directly, as cross-entropy with softmax or with the sigmoid gives
 * δ^L = a − y, without the division by a that its ∇a C holds (which overflows when a output underflows to 0).
 */
public interface Loss {

    /** The cost of each sample of a mini-batch: a vector of length N for outputs of shape (N, classes). */
    INDArray cost(INDArray a, INDArray y);

    /** The summed cost of all samples of a mini-batch. */
    default double totalCost(INDArray a, INDArray y) {
        return cost(a, y).sumNumber().doubleValue();
    }

    /** ∇a C for each sample, the same shape as {@code a}. */
    INDArray gradient(INDArray a, INDArray y);

    /**
     * Writes ∇a C into {@code out} (the shape of {@code a}) and returns the summed cost of the mini-batch: the two
     * things a training step needs, which a loss may compute together.
     */
    default double gradientAndCost(INDArray a, INDArray y, INDArray out) {
        out.assign(gradient(a, y));
        return totalCost(a, y);
    }

    /**
     * True when back-propagation should start from this cost's fused {@link #deltaAndCost δ^L} for outputs of the
     * activation {@code f}, instead of from ∇a C through f' (14). False unless a cost says otherwise.
     */
    default boolean fusesWith(Activation f) {
        return false;
    }

    /**
     * Writes δ^L = ∂C/∂z^L for outputs a = f(z^L) of an activation this cost {@link #fusesWith fuses with} into
     * {@code out} (the shape of {@code a}) and returns the summed cost of the mini-batch.
     *
     * @throws UnsupportedOperationException for a cost without a fused form
     */
    default double deltaAndCost(INDArray a, INDArray y, INDArray out) {
        throw new UnsupportedOperationException("the " + name() + " cost has no fused form with its activation");
    }

    /** A short name for summaries, e.g. {@code "quadratic"}. */
    String name();
}
