package io.richard.nd4j.kernel;

import io.richard.api.Shape;
import io.richard.api.spec.Size2D;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast kernels, for ND4J's CPU backend: the same sums as {@link PlainKernels}, scheduled for speed.
 *
 * <p>Spatial activations are (H, N, W, C) arrays ({@link Layouts}): image row y, sample n, column x, channel k.
 * A mini-batch is then a matrix of H·N·W rows of C channels in which the inputs a kernel row meets are
 * consecutive rows, so a correlation is a few CBLAS products over windows of rows, with no im2col
 * ({@link FastCorrelation}). Pooling copies its region offsets a matrix at a time ({@link FastPooling}) and
 * returns its input gradient laid out in memory as its input was, which a convolution before it takes as its own
 * rows. Products, copies and element-wise passes go to OpenBLAS and libnd4j directly ({@link Blas},
 * {@link Elementwise}); arrays are reused from one mini-batch to the next ({@link Buffers}).
 */
final class FastKernels implements Kernels {

    static final FastKernels INSTANCE = new FastKernels();

    private FastKernels() {
    }

    /** True on ND4J's CPU backend, the only one whose memory the direct native calls can address. */
    static boolean supported() {
        return Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    }

    @Override
    public LinearKernel dense(Shape input, int outputs) {
        return new FastDense(input);
    }

    @Override
    public LinearKernel correlation(Shape input, Size2D kernel, int depth) {
        return new FastCorrelation(input, kernel, depth);
    }

    @Override
    public PoolingKernel pooling(Shape input, Size2D region) {
        return new FastPooling(input, region);
    }

    @Override
    public INDArray flat(INDArray activations, Shape shape) {
        return Layouts.flat(activations, shape);
    }

    @Override
    public INDArray spatial(INDArray flat, Shape shape) {
        return Layouts.spatial(flat, shape);
    }

    @Override
    public String name() {
        return "fast";
    }

    @Override
    public String toString() {
        return name();
    }
}
