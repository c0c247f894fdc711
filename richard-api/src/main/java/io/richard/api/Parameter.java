package io.richard.api;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One trainable array of a layer ({@code W} or {@code b}) together with the array that receives its cost
 * gradient ({@code gradW}, {@code gradB}) during a backward pass. Both have the same shape.
 *
 * @param name     the seed's name of the array, for example {@code "W"} or {@code "b"}
 * @param value    the parameter itself, updated in place by an {@link Optimizer}
 * @param gradient the cost gradient summed over the last mini-batch, written by {@link Layer#backward}
 */
public record Parameter(String name, INDArray value, INDArray gradient) {
}
