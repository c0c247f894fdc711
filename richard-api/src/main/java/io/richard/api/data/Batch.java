package io.richard.api.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A mini-batch of labelled samples.
 *
 * @param x      inputs, shape (N, W·H·D), already normalised, values in the reference's order (x fastest, then
 *               y, then channel)
 * @param y      one-hot targets, shape (N, classes)
 * @param labels the class index of each sample, length N
 */
public record Batch(INDArray x, INDArray y, int[] labels) {

    public Batch {
        if (x.rows() != labels.length || y.rows() != labels.length) {
            throw new IllegalArgumentException("batch of " + labels.length + " labels has " + x.rows()
                    + " input rows and " + y.rows() + " target rows");
        }
    }

    /** Number of samples N. */
    public int size() {
        return labels.length;
    }
}
