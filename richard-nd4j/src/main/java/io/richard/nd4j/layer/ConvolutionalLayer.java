package io.richard.nd4j.layer;

import java.util.Arrays;
import java.util.List;
import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.nd4j.Relu;
import io.richard.nd4j.layer.Blas.Matrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A convolutional layer, equations (21)–(28): D kernels of kW × kH × C, valid cross-correlation, stride 1, one
 * bias per kernel, ReLU.
 *
 * <p>Parameters as the seed writes them: {@code W} is (D, C, kH, kW), so {@code W[d][k][j][i]} is
 * w<sub>i,j,k</sub><sup>l,d</sup> of (24), and {@code b} is (1, D).
 *
 * <p>Im2col-free. Activations are spatial (H, N, W, C) (see {@link Layouts}), so the mini-batch is a matrix
 * {@code X} of H·N·W rows of C channels, row r = (y·N + n)·W + x, followed by kW − 1 zero rows. For the kernel
 * offset (i, j) the inputs a<sub>x+i,y+j</sub> met by the output positions of the first H' image rows of every
 * sample are the H'·N·W rows starting at j·N·W + i: one contiguous window, no copy. So the sums over i and j of
 * (24) are the loop over offsets, and the sum over k is one gemm per offset, accumulated into a "full" output of
 * H'·N·W rows; the rows with x ≥ W' are not valid positions and are dropped. The same windows give (28) as
 * {@code ∇W_ij = window(i,j)ᵀ · δ} and (27) as {@code ∇X[window(i,j)] += δ · W_ijᵀ}, with δ zero at the positions
 * that are not valid.
 */
public final class ConvolutionalLayer implements Layer {

    private final ConvolutionalLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation;
    private final Dropout dropout;
    private final int kW;
    private final int kH;

    private final INDArray W;
    private final INDArray b;
    private final INDArray gradW;
    private final INDArray gradB;
    private final List<Parameter> parameters;
    private final Buffers.PerMode buffers = new Buffers.PerMode();

    // Kept from the last training-mode forward pass for backward.
    private int inputRank;
    private INDArray X;
    private INDArray a;
    private INDArray aFull;
    private INDArray dropoutMask;

    /**
     * @param W    kernels (D, C, kH, kW), taken over (not copied)
     * @param b    biases, D values, taken over
     * @param seed seed of the dropout masks (unused without dropout)
     */
    public ConvolutionalLayer(ConvolutionalLayerSpec spec, Shape inputShape, INDArray W, INDArray b, long seed) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.kW = spec.kernelSize().width();
        this.kH = spec.kernelSize().height();
        long[] expected = {spec.depth(), inputShape.depth(), kH, kW};
        if (!Arrays.equals(W.shape(), expected)) {
            throw new IllegalArgumentException("convolutional W must be (D, C, kH, kW) = " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(W.shape()));
        }
        if (b.length() != spec.depth()) {
            throw new IllegalArgumentException("convolutional b must have " + spec.depth() + " values, got "
                    + b.length());
        }
        this.activation = Relu.INSTANCE;
        this.dropout = new Dropout(spec.dropoutRate(), seed);
        this.W = W;
        this.b = b.reshape(1, spec.depth());
        this.gradW = Nd4j.zerosLike(W);
        this.gradB = Nd4j.zerosLike(this.b);
        this.parameters = List.of(new Parameter("W", this.W, gradW), new Parameter("b", this.b, gradB));
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(input);
        DataType type = W.dataType();
        INDArray X = paddedRows(buffers, input, buffers.get("X", type, inputRows(n) + paddingRows(), inputShape.depth()));
        Matrix kernels = offsetMatrices(buffers);
        INDArray zFull = buffers.get("zFull", type, fullRows(n), outputShape.depth());
        Blas.gemm(buffers.ones(type, fullRows(n), 1), false, b, false, zFull, 1.0, 0.0);  // z = b^{l,d} everywhere, then
        for (int j = 0; j < kH; j++) {
            for (int i = 0; i < kW; i++) {
                // (24) z_{x,y} += Σ_k w_{i,j,k} a_{x+i,y+j,k} for every position at once: the sum over k is the gemm
                Blas.gemm(window(X, i, j, n), false, offset(kernels, i, j), false, Matrix.of(zFull), 1.0, 1.0);
            }
        }
        // (21), (25) A = R(Z), applied to the whole full output (contiguous, so fast); R' needs only a
        INDArray aFull = activation.applyInPlace(zFull);
        // (21) Z^{l,d} = A ⋆ W^{l,d} + b^{l,d} at the valid positions, copied into a contiguous array: ND4J 1.0.0-M2.1
        // cannot take views of a view whose dimensions are 1 long (the next layer takes views of this output)
        INDArray a = Elementwise.copy(validPositions(buffers, "aFull", aFull, n),
                buffers.get("a", type, Layouts.spatialShape(n, outputShape)));
        if (mode == Mode.INFERENCE) {
            return a;
        }
        this.inputRank = input.rank();
        this.X = X;
        this.a = a;
        this.aFull = aFull;
        if (!dropout.active()) {
            return a;
        }
        dropoutMask = dropout.mask(buffers.get("mask", type, a.shape()));                 // inverted dropout
        return buffers.get("dropped", type, a.shape()).assign(a).muli(dropoutMask);
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        DataType type = a.dataType();
        long n = Layouts.batchSize(a);
        int depth = outputShape.depth();
        INDArray gradA = Layouts.spatial(gradOutput, outputShape);
        if (dropout.active()) {
            gradA = buffers.get("gradA", type, a.shape()).assign(gradA).muli(dropoutMask);
        }
        // ∂C/∂a at every row of the full output: 0 at the rows that are not valid positions (never written)
        INDArray gradFull = buffers.get("gradFull", type, fullRows(n), depth);
        Elementwise.copy(gradA, validPositions(buffers, "gradFull", gradFull, n));
        // (26) δ = ∂C/∂a ⊙ R'(z), so δ is 0 at the rows that are not valid positions
        INDArray deltaFull = activation.delta(gradFull, aFull, buffers.get("deltaFull", type, fullRows(n), depth));

        INDArray gradOffsets = buffers.get("gradOffsets", type, (long) kH * kW * inputShape.depth(), depth);
        for (int j = 0; j < kH; j++) {
            for (int i = 0; i < kW; i++) {
                // (28) ∇W_k^{l,d} = A_k ⋆ δ^{l,d}: for offset (i, j), Σ_{x,y} a_{x+i,y+j,k} δ_{x,y}, over the mini-batch
                Blas.gemm(window(X, i, j, n), true, Matrix.of(deltaFull), false,
                        offset(Matrix.of(gradOffsets), i, j), 1.0, 0.0);
            }
        }
        Elementwise.copy(buffers.view("gradOffsets as W", gradOffsets,
                g -> g.reshape('c', kH, kW, inputShape.depth(), depth).permute(3, 2, 0, 1)), gradW);
        // ∂C/∂b^{l,d} = Σ_{x,y} δ_{x,y}^{l,d}, over the mini-batch (δ is 0 at the positions that are not valid)
        Blas.gemm(buffers.ones(type, fullRows(n), 1), true, deltaFull, false, gradB, 1.0, 0.0);
        if (!inputGradient) {
            return null;
        }
        Matrix kernels = offsetMatrices(buffers);
        INDArray gradX = Elementwise.fill(buffers.get("gradX", type, X.rows(), inputShape.depth()), 0.0);
        for (int j = 0; j < kH; j++) {
            for (int i = 0; i < kW; i++) {
                // (27) ∇A_k = Σ_d W_k^{l,d} * δ^{l,d}: each δ_{x',y'} reaches a_{x'+i,y'+j} through w_{i,j}
                Blas.gemm(Matrix.of(deltaFull), false, offset(kernels, i, j), true, window(gradX, i, j, n), 1.0, 1.0);
            }
        }
        INDArray gradInput = buffers.view("gradX rows", gradX, g -> g.get(NDArrayIndex.interval(0, inputRows(n)),
                NDArrayIndex.all()).reshape('c', Layouts.spatialShape(n, inputShape)));
        return Layouts.as(gradInput, inputRank, inputShape);
    }

    /** Number of input rows of a mini-batch: one per input position, H·N·W. */
    private long inputRows(long n) {
        return inputShape.height() * n * inputShape.width();
    }

    /** Number of rows of a "full" output: every position of the first H' image rows of each sample, H'·N·W. */
    private long fullRows(long n) {
        return outputShape.height() * n * inputShape.width();
    }

    /** Rows past the last input position that a window may reach: kW − 1. */
    private long paddingRows() {
        return kW - 1;
    }

    /**
     * Writes the input into {@code X} as H·N·W rows of C channels; the padding rows after them are never written
     * and stay zero.
     */
    private INDArray paddedRows(Buffers buffers, INDArray input, INDArray X) {
        long n = Layouts.batchSize(input);
        INDArray rows = buffers.view("X rows", X, x -> x.get(NDArrayIndex.interval(0, inputRows(n)),
                NDArrayIndex.all()).reshape('c', Layouts.spatialShape(n, inputShape)));
        Layouts.spatialInto(input, inputShape, rows);
        return X;
    }

    /** The H'·N·W rows of {@code rows} starting at j·N·W + i: the inputs that kernel element (i, j) meets. */
    private Matrix window(INDArray rows, int i, int j, long n) {
        return Matrix.of(rows).rows((long) j * n * inputShape.width() + i, fullRows(n));
    }

    /** The kernels rearranged as kH·kW stacked (C, D) matrices, one per offset (i, j). */
    private Matrix offsetMatrices(Buffers buffers) {
        INDArray stacked = buffers.get("kernels", W.dataType(), kH, kW, inputShape.depth(), spec.depth());
        Elementwise.copy(buffers.view("W by offset", W, w -> w.permute(2, 3, 1, 0)), stacked);
        return Matrix.of(stacked.reshape('c', (long) kH * kW * inputShape.depth(), spec.depth()));
    }

    /** The (C, D) matrix of offset (i, j) in a stack made by {@link #offsetMatrices(Buffers)}. */
    private Matrix offset(Matrix stacked, int i, int j) {
        return stacked.rows(((long) j * kW + i) * inputShape.depth(), inputShape.depth());
    }

    /** The valid positions x &lt; W' of a full (H'·N·W, D) array, as an (H', N, W', D) view (remembered). */
    private INDArray validPositions(Buffers buffers, String name, INDArray full, long n) {
        return buffers.view(name + " valid", full, f -> f.reshape('c', outputShape.height(), n, inputShape.width(),
                outputShape.depth()).get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(0, outputShape.width()), NDArrayIndex.all()));
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public ConvolutionalLayerSpec spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }

    /** The kernels W, (D, C, kH, kW). */
    public INDArray kernels() {
        return W;
    }

    /** The biases b, (1, D). */
    public INDArray biases() {
        return b;
    }
}
