package io.richard.nd4j.kernel;

import io.richard.api.Shape;
import io.richard.api.spec.Size2D;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The operations that the equations of the seed need, behind one seam: the products of a dense layer, (4), (9),
 * (10) and (13); the correlation of (24) with its input gradient (27) and kernel gradient (28); max pooling (29)
 * with its argmax mask, and δ routed through the mask (33). A layer holds one kernel object made for its shapes
 * and states each of its equations as one call to it; the kernel object chooses the memory layout of the arrays
 * it hands to its neighbours and keeps what its backward pass needs.
 *
 * <p>Two implementations, tested equal (1e-5 in float32, 1e-12 in float64):
 * <ul>
 *   <li>{@link #plain()}: explicit INDArray operations, written to be read beside the seed. (24) is a loop over
 *       the kernel offsets (i, j), each one sum over the channels k for every sample and position at once;
 *       pooling keeps one argmax mask per region offset. Runs on every ND4J backend.</li>
 *   <li>{@link #fast()}: ND4J's CPU backend only. The same sums scheduled for speed: CBLAS products over
 *       windows of rows without im2col, LAPACK copies, native element-wise calls, arrays reused from one
 *       mini-batch to the next, and memory layouts chosen so that neighbouring layers exchange arrays without
 *       copies (docs/performance.md has the measurements behind each choice).</li>
 * </ul>
 * Within one network every layer uses the same implementation: each reads the arrays its neighbours write in
 * that implementation's layouts. The network's own input is always a flat (N, W·H·D) matrix in the reference's
 * order (x fastest, then y, then channel), and every kernel object accepts it.
 */
public interface Kernels {

    /** The products of a dense layer of {@code outputs} neurons on inputs of {@code input}: (4), (9), (10), (13). */
    LinearKernel dense(Shape input, int outputs);

    /**
     * The valid cross-correlation of (24) (stride 1, one bias per kernel) of {@code depth} kernels of
     * {@code kernel} on inputs of {@code input}, with (27) and (28).
     */
    LinearKernel correlation(Shape input, Size2D kernel, int depth);

    /** Non-overlapping max pooling over regions of {@code region} on inputs of {@code input}: (29), (33). */
    PoolingKernel pooling(Shape input, Size2D region);

    /**
     * Activations of this implementation's kernel objects (or a network input), for samples of {@code shape}, as
     * a flat (N, W·H·D) matrix in the reference's order: the array itself when it is one already.
     */
    INDArray flat(INDArray activations, Shape shape);

    /**
     * A flat (N, W·H·D) matrix in the reference's order laid out as this implementation's kernel objects lay out
     * spatial activations of {@code shape}: the inverse of {@link #flat}.
     */
    INDArray spatial(INDArray flat, Shape shape);

    /** {@code "plain"} or {@code "fast"}. */
    String name();

    /** The readable implementation, for every backend. */
    static Kernels plain() {
        return PlainKernels.INSTANCE;
    }

    /**
     * The fast implementation, for ND4J's CPU backend.
     *
     * @throws UnsupportedOperationException on any other backend, saying to use {@link #plain()}
     */
    static Kernels fast() {
        if (!FastKernels.supported()) {
            throw new UnsupportedOperationException("the fast kernels run on ND4J's CPU backend only; this is "
                    + Nd4j.getBackend().getClass().getSimpleName() + ": use the plain kernels");
        }
        return FastKernels.INSTANCE;
    }

    /** The fast kernels on ND4J's CPU backend, the plain ones on every other. */
    static Kernels forBackend() {
        return FastKernels.supported() ? FastKernels.INSTANCE : PlainKernels.INSTANCE;
    }

    /**
     * The implementation called {@code name} ({@code plain} or {@code fast}).
     *
     * @throws IllegalArgumentException for another name
     * @throws UnsupportedOperationException for {@code fast} on a backend other than the CPU
     */
    static Kernels named(String name) {
        return switch (name) {
            case "plain" -> plain();
            case "fast" -> fast();
            default -> throw new IllegalArgumentException("unknown kernels '" + name + "'; expected plain or fast");
        };
    }
}
