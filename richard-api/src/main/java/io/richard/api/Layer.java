package io.richard.api;

import java.util.List;
import io.richard.api.spec.LayerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a network: a forward pass from the previous layer's activations to its own, and a backward
 * pass from the cost gradient with respect to its activations to the cost gradient with respect to its input,
 * recording the gradients of its parameters on the way.
 *
 * <p>Mini-batches are the leading axis of every array. A layer is free to choose the memory layout of the
 * arrays it exchanges with its neighbours, as long as {@link #outputShape()} describes them; the network
 * gives the first layer its input as a matrix of shape (N, W·H·D) with values in the reference's order
 * (x fastest, then y, then channel).
 */
public interface Layer {

    /** The description this layer was built from. */
    LayerSpec spec();

    /** Shape of one sample's input, {@code [W, H, D]}. */
    Shape inputShape();

    /** Shape of one sample's output, {@code [W, H, D]}. */
    Shape outputShape();

    /**
     * The forward pass. In a training pass ({@link Mode#isTraining()}) the layer keeps what its backward pass
     * needs and applies dropout, with the masks of the pass's training step ({@link Mode#training(int, int)}: the
     * epoch and mini-batch a trainer is at) or, outside a training run ({@link Mode#TRAINING}), its next mask; in
     * {@link Mode#INFERENCE} it shares no state between threads, so it may be called from several threads at once.
     * The returned array may be one the layer reuses on its next call in the same mode (and thread), or a view of
     * one: copy it to keep it.
     */
    INDArray forward(INDArray input, Mode mode);

    /**
     * The backward pass for the last training-mode forward pass: takes ∇a C, the cost gradient with respect to
     * this layer's output (for the mini-batch), writes the gradients of {@link #parameters()} summed over the
     * mini-batch and returns ∇ C with respect to this layer's input, in the layout the input came in.
     *
     * @param inputGradient false when nobody needs the gradient with respect to the input (the first layer of a
     *                      network); the layer then skips that work and returns {@code null}
     */
    INDArray backward(INDArray gradOutput, boolean inputGradient);

    /** {@link #backward(INDArray, boolean)} returning the input gradient. */
    default INDArray backward(INDArray gradOutput) {
        return backward(gradOutput, true);
    }

    /** The trainable parameters with their gradient arrays; empty for layers without parameters. */
    List<Parameter> parameters();

    /** Number of trainable scalars. */
    default long parameterCount() {
        return parameters().stream().mapToLong(p -> p.value().length()).sum();
    }
}
