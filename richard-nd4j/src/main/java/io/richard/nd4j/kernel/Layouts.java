package io.richard.nd4j.kernel;

import java.util.Arrays;
import io.richard.api.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two layouts activations travel in between layers, and the conversions between them.
 *
 * <ul>
 *   <li><b>flat</b>: a matrix (N, W·H·D) whose columns follow the reference's storage order, channel by channel,
 *       row by row (index d·W·H + y·W + x). Data sets deliver inputs like this, and dense layers read their input
 *       like this, so a dense layer's weight columns mean what they mean in a reference network file.</li>
 *   <li><b>spatial</b>: a 4-d array (H, N, W, D) in C order: image row y of every sample of the mini-batch, then
 *       the next row, each pixel holding its D channels. Convolution and pooling work on it, because then the
 *       mini-batch is a matrix of H·N·W rows of D channels in which the rows of the first H' image rows of every
 *       sample come first (see {@link ConvolutionalLayer}). A layer's spatial output may be a view with gaps
 *       between image rows (a convolution returns its valid positions in place); layers read such inputs
 *       through copies or views made from their strides, never through views of views (which ND4J 1.0.0-M2.1
 *       mis-shapes when a dimension is 1 long).</li>
 * </ul>
 */
public final class Layouts {

    private Layouts() {
    }

    /** Number of samples N of a flat (N, …) or spatial (H, N, W, D) array. */
    public static long batchSize(INDArray array) {
        return array.rank() == 4 ? array.size(1) : array.size(0);
    }

    /** The shape (H, N, W, D) of a spatial array of N samples of {@code shape}. */
    public static long[] spatialShape(long n, Shape shape) {
        return new long[] {shape.height(), n, shape.width(), shape.depth()};
    }

    /** The input as a spatial (H, N, W, D) array: returned as is when already spatial, else converted. */
    public static INDArray spatial(INDArray input, Shape shape) {
        if (input.rank() == 4) {
            return input;
        }
        return spatialInto(input, shape, org.nd4j.linalg.factory.Nd4j.create(input.dataType(),
                spatialShape(input.size(0), shape)));
    }

    /** Writes the input into {@code target}, a spatial (H, N, W, D) array, converting from flat if needed. */
    public static INDArray spatialInto(INDArray input, Shape shape, INDArray target) {
        if (input.rank() == 4) {
            return Elementwise.copy(input, target);
        }
        long n = input.size(0);
        return target.assign(input.reshape('c', n, shape.depth(), shape.height(), shape.width()).permute(2, 0, 3, 1));
    }

    /**
     * {@link #spatialInto(INDArray, Shape, INDArray)} for the layers: the views the conversion takes of the arrays
     * they reuse every mini-batch are remembered in {@code buffers}, and the copy goes straight to the native
     * library ({@link Elementwise#copy}).
     */
    static INDArray spatialInto(INDArray input, Shape shape, INDArray target, Buffers buffers) {
        if (input.rank() == 4) {
            return Elementwise.copy(input, target);
        }
        if (!contiguous(input)) {
            return spatialInto(input, shape, target);
        }
        long n = input.size(0);
        if (shape.depth() == 1 && cOrder(target) && n * shape.width() <= Integer.MAX_VALUE) {
            // one channel: image row y of every sample is a matrix of N rows of W pixels, H·W apart in the input
            // and one after the other in the target (one BLAS-style copy per row instead of ND4J's element by
            // element permutation)
            int w = shape.width();
            for (int y = 0; y < shape.height(); y++) {
                Blas.copy(new Blas.Matrix(input, (long) y * w, (int) n, w, shape.height() * w),
                        new Blas.Matrix(target, target.offset() - target.data().offset() + y * n * w, (int) n, w, w));
            }
            return target;
        }
        return Elementwise.copy(buffers.view("flat as spatial", input, in -> in.reshape('c', n, shape.depth(),
                shape.height(), shape.width()).permute(2, 0, 3, 1)), target);
    }

    /** {@link #flatInto(INDArray, Shape, INDArray)} for the layers, with remembered views (see spatialInto). */
    static INDArray flatInto(INDArray input, Shape shape, INDArray target, Buffers buffers) {
        if (input.rank() == 2 || !contiguous(target)) {
            return flatInto(input, shape, target);
        }
        long n = input.size(1);
        Elementwise.copy(buffers.view("spatial as flat", input, in -> in.permute(1, 3, 0, 2)),
                buffers.view("flat target", target, t -> t.reshape('c', n, shape.depth(), shape.height(),
                        shape.width())));
        return target;
    }

    /**
     * A view of the same memory as {@code array}: the given shape and strides (in elements), starting
     * {@code delta} elements after the array's first element. Made from the buffer rather than with
     * {@code INDArray.get}, which ND4J 1.0.0-M2.1 gets wrong on views of views with a dimension of length 1.
     *
     * <p>Made on the buffer the array's buffer views, with the offset from that buffer's start: given the buffer of
     * a view that starts inside it (rows or columns taken with {@code INDArray.get}), ND4J 1.0.0-M2.1 counts a
     * non-zero offset from the start of the buffer viewed, and only a zero offset from the view's own start.
     */
    static INDArray strided(INDArray array, long delta, long[] shape, long[] stride) {
        org.nd4j.linalg.api.buffer.DataBuffer data = array.data();
        org.nd4j.linalg.api.buffer.DataBuffer viewed = data.originalDataBuffer() != null ? data.originalDataBuffer()
                : data;
        return org.nd4j.linalg.factory.Nd4j.create(viewed, shape, stride, array.offset() + delta, 'c');
    }

    /**
     * An array (reused through {@code buffers}: outside {@code like}'s positions it holds what an earlier pass
     * left) for the gradient with respect to {@code like}, in {@code like}'s layout: the same shape and strides over an array as long as {@code like}'s
     * memory from its first element on. A layer whose output is a view of a larger array (a convolution's valid
     * positions within its full rows) can then take the gradient's array as its own instead of copying the
     * gradient into one (see {@link #sameMemoryLayout}). A plain C-order array when {@code like} is a view into
     * more than twice the memory it spans.
     */
    static INDArray gradientLike(INDArray like, String name, Buffers buffers) {
        long memory = like.data().length() - (like.offset() - like.data().offset());
        if (memory > 2 * like.length()) {
            return buffers.get(name, like.dataType(), like.shape());
        }
        INDArray array = buffers.get(name + " memory", like.dataType(), memory);
        return buffers.view(name + Arrays.toString(like.shape()) + Arrays.toString(like.stride()), array,
                m -> strided(m, 0, like.shape(), like.stride()));
    }

    /**
     * True when {@code gradient} lies in its memory exactly as {@code output} lies in {@code output}'s: same
     * shape, strides and data type, starting at the first element of memory as long as {@code output}'s. Then
     * the gradient's memory read with {@code output}'s memory's layout holds the gradient at the same places.
     */
    static boolean sameMemoryLayout(INDArray gradient, INDArray output) {
        return gradient.dataType() == output.dataType() && Arrays.equals(gradient.shape(), output.shape())
                && Arrays.equals(gradient.stride(), output.stride())
                && gradient.offset() == gradient.data().offset() && output.offset() == output.data().offset()
                && gradient.data().length() == output.data().length();
    }

    /** True when the array's elements follow each other in C order, without gaps (it may be a view). */
    static boolean cOrder(INDArray array) {
        long expected = 1;
        for (int d = array.rank() - 1; d >= 0; d--) {
            if (array.size(d) > 1 && array.stride(d) != expected) {
                return false;
            }
            expected *= array.size(d);
        }
        return true;
    }

    /** True when a reshape of the array is a view of it (C order, no gaps), so a remembered reshape stays valid. */
    private static boolean contiguous(INDArray array) {
        return array.ordering() == 'c' && array.elementWiseStride() == 1 && !array.isView();
    }

    /** The input as a flat (N, W·H·D) matrix in the reference's order: as is when already flat, else converted. */
    public static INDArray flat(INDArray input, Shape shape) {
        if (input.rank() == 2) {
            return input;
        }
        return flatInto(input, shape, org.nd4j.linalg.factory.Nd4j.create(input.dataType(), input.size(1),
                shape.size()));
    }

    /** Writes the input into {@code target}, a flat (N, W·H·D) matrix, converting from spatial if needed. */
    public static INDArray flatInto(INDArray input, Shape shape, INDArray target) {
        if (input.rank() == 2) {
            return target.assign(input);
        }
        long n = input.size(1);
        target.reshape('c', n, shape.depth(), shape.height(), shape.width()).assign(input.permute(1, 3, 0, 2));
        return target;
    }

    /** An array in the layout of {@code like} (rank 2 flat or rank 4 spatial), converting when needed. */
    public static INDArray as(INDArray array, int rank, Shape shape) {
        return rank == 4 ? spatial(array, shape) : flat(array, shape);
    }
}
