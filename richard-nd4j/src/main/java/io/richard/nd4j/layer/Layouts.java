package io.richard.nd4j.layer;

import io.richard.api.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two layouts activations travel in between layers, and the conversions between them.
 *
 * <ul>
 *   <li><b>flat</b>: a matrix (N, W·H·D) whose columns follow the reference's storage order, channel by channel,
 *       row by row (index d·W·H + y·W + x). Data sets deliver inputs like this, and dense layers read their input
 *       like this, so a dense layer's weight columns mean what they mean in a reference network file.</li>
 *   <li><b>spatial</b>: a 4-d array (N, H, W, D), channels last, in C order. Convolution and pooling work on it,
 *       because then the whole mini-batch is a matrix of N·H·W rows of D channels (see
 *       {@link ConvolutionalLayer}).</li>
 * </ul>
 */
public final class Layouts {

    private Layouts() {
    }

    /** The input as a spatial (N, H, W, D) array: returned as is when already spatial, else converted. */
    public static INDArray spatial(INDArray input, Shape shape) {
        if (input.rank() == 4) {
            return input;
        }
        long n = input.size(0);
        return input.reshape('c', n, shape.depth(), shape.height(), shape.width())
                .permute(0, 2, 3, 1).dup('c');
    }

    /** Writes the input into {@code target}, a spatial (N, H, W, D) array, converting from flat if needed. */
    public static INDArray spatialInto(INDArray input, Shape shape, INDArray target) {
        if (input.rank() == 4) {
            return target.assign(input);
        }
        long n = input.size(0);
        return target.assign(input.reshape('c', n, shape.depth(), shape.height(), shape.width()).permute(0, 2, 3, 1));
    }

    /** The input as a flat (N, W·H·D) matrix in the reference's order: as is when already flat, else converted. */
    public static INDArray flat(INDArray input, Shape shape) {
        if (input.rank() == 2) {
            return input;
        }
        long n = input.size(0);
        return input.permute(0, 3, 1, 2).dup('c').reshape('c', n, shape.size());
    }

    /** Writes the input into {@code target}, a flat (N, W·H·D) matrix, converting from spatial if needed. */
    public static INDArray flatInto(INDArray input, Shape shape, INDArray target) {
        if (input.rank() == 2) {
            return target.assign(input);
        }
        long n = input.size(0);
        target.reshape('c', n, shape.depth(), shape.height(), shape.width()).assign(input.permute(0, 3, 1, 2));
        return target;
    }

    /** An array in the layout of {@code like} (rank 2 flat or rank 4 spatial), converting when needed. */
    public static INDArray as(INDArray array, int rank, Shape shape) {
        return rank == 4 ? spatial(array, shape) : flat(array, shape);
    }
}
