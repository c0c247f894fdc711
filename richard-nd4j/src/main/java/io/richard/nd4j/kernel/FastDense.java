package io.richard.nd4j.kernel;

import io.richard.api.Activation;
import io.richard.api.Mode;
import io.richard.api.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The products of a dense layer as CBLAS calls into reused arrays: forward is one gemm {@code Z = A·Wᵀ} after b is
 * written into every row (a product with a column of ones), backward {@code ∇W = δᵀ·A}, {@code ∇b = 1ᵀ·δ},
 * {@code ∇A = δ·W}. A spatial input (after a convolution or pooling) is flattened into the reference's order once.
 */
final class FastDense implements LinearKernel {

    private final Shape input;
    private final Buffers.PerMode buffers = new Buffers.PerMode();
    // kept from the last training pass
    private int inputRank;
    private INDArray aPrev;
    private INDArray a;

    FastDense(Shape input) {
        this.input = input;
    }

    @Override
    public INDArray weightedSums(INDArray aPrev, INDArray W, INDArray b, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(aPrev);
        INDArray x = aPrev.rank() == 2 ? aPrev
                : Layouts.flatInto(aPrev, input, buffers.get("aPrev", aPrev.dataType(), n, input.size()), buffers);
        if (mode.isTraining()) {
            this.inputRank = aPrev.rank();
            this.aPrev = x;
        }
        INDArray z = buffers.get("z", W.dataType(), n, W.rows());
        Blas.gemm(buffers.ones(W.dataType(), n, 1), false, b, false, z, 1.0, 0.0);   // z = b in every row, then
        return Blas.gemm(x, false, W, true, z, 1.0, 1.0);                            // z += A·Wᵀ
    }

    @Override
    public INDArray activate(Activation f, INDArray z, Mode mode) {
        INDArray a = f.applyInPlace(z);
        if (mode.isTraining()) {
            this.a = a;
        }
        return a;
    }

    @Override
    public INDArray delta(Activation f, INDArray gradA) {
        return f.delta(gradA, a, buffers.of(Mode.TRAINING).get("delta", a.dataType(), a.shape()));
    }

    @Override
    public void weightGradient(INDArray delta, INDArray gradW) {
        Blas.gemm(delta, true, aPrev, false, gradW, 1.0, 0.0);                       // ∇W = δᵀ·A
    }

    @Override
    public void biasGradient(INDArray delta, INDArray gradB) {
        Blas.gemm(buffers.of(Mode.TRAINING).ones(delta.dataType(), delta.rows(), 1), true, delta, false, gradB, 1.0,
                0.0);                                                                // ∇b = 1ᵀ·δ
    }

    @Override
    public INDArray inputGradient(INDArray delta, INDArray W) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        INDArray gradInput = buffers.get("gradInput", delta.dataType(), delta.rows(), W.columns());
        Blas.gemm(delta, false, W, false, gradInput, 1.0, 0.0);                      // ∇A = δ·W
        if (inputRank == 2) {
            return gradInput;
        }
        return Layouts.spatialInto(gradInput, input, buffers.get("gradInputSpatial", delta.dataType(),
                Layouts.spatialShape(delta.rows(), input)), buffers);
    }
}
