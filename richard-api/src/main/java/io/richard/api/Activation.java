package io.richard.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An activation function f whose derivative can be written in terms of its output a = f(z), as it can for the
 * sigmoid (σ'(z) = a(1 − a)) and the rectifier (R'(z) = 1 exactly where a &gt; 0), applied element by element; or
 * row by row, as the softmax, whose δ = ∇a C ⊙ f'(z) becomes the product of ∇a C with its Jacobian and is computed
 * by {@link #delta} alone. So a layer keeps only a for its backward pass.
 */
public interface Activation {

    /** a = f(z), computed in place: overwrites {@code z} and returns it. */
    INDArray applyInPlace(INDArray z);

    /**
     * f'(z) as a new array, from a = f(z), for an element-wise f.
     *
     * @throws UnsupportedOperationException for an activation that is not element-wise (the softmax)
     */
    INDArray derivative(INDArray a);

    /**
     * The layer delta δ = ∂C/∂z from ∇a C: ∇a C ⊙ f'(z) for an element-wise f, (8); written into {@code out} (same
     * shape as {@code a}, a separate array from {@code gradA} and {@code a}) and returned; implementations may fuse
     * the product.
     */
    default INDArray delta(INDArray gradA, INDArray a, INDArray out) {
        return out.assign(derivative(a)).muli(gradA);
    }

    /** A short name for summaries, e.g. {@code "sigmoid"}. */
    String name();
}
