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
 * sample are the H'·N·W rows starting at j·N·W + i: one contiguous window, no copy. The output is computed at all
 * those H'·N·W "full" rows; the rows with x ≥ W' are not valid positions, and the layer's output is an
 * (H', N, W', D) view that leaves them out (no copy). Backward writes ∂C/∂a into full rows that are 0 there, so
 * δ is 0 at those rows too.
 *
 * <p>The sums of (24) over i and k are one product per kernel row j: the inputs a<sub>x+i,y+j,k</sub> for
 * i = 0…kW−1 and every k are the kW consecutive rows of X from row (x, y + j) on, kW·C numbers that follow each
 * other in memory. Read as one row ({@link Matrix#joinRows}), they meet the kernel row w<sub>·,j,·</sub> stacked as
 * a (kW·C, D) matrix. Runs of kW rows must not overlap within one product, so the full output rows are taken in kW
 * phases, r = q·kW + t for t = 0…kW−1 ({@link Matrix#everyRow}): kH·kW products of inner dimension kW·C. (One
 * product per offset (i, j) has inner dimension C, which runs far below the machine's peak for C = 32; see
 * docs/performance.md.) The same windows give (28) as {@code ∇W_j = window(j, t)ᵀ · δ_t} summed over the phases and
 * (27) as {@code ∇X[window(j, t)] += δ_t · W_jᵀ}, with δ zero at the positions that are not valid.
 */
public final class ConvolutionalLayer implements Layer {

    /**
     * Narrowest kernel row (kW·C) for which (28) is computed per kernel row: below it the products of one offset
     * are matrix-vector products, 4× faster for the first layer of the example CNN (kW·C = 3, docs/performance.md).
     */
    private static final int FOLDED_GRADIENT_MIN_WIDTH = 16;

    private final ConvolutionalLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation;
    private final Dropout dropout;
    private final int kW;
    private final int kH;
    /** (28) by kernel row (kW·C inner rows) or by offset: by offset is faster for very few channels (measured). */
    private final boolean foldedKernelGradient;

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
        this.foldedKernelGradient = kW * inputShape.depth() >= FOLDED_GRADIENT_MIN_WIDTH;
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
            for (int t = 0; t < kW; t++) {
                // (24) z_{x,y} += Σ_i Σ_k w_{i,j,k} a_{x+i,y+j,k} at the positions of phase t: the sums are the gemm
                Blas.gemm(window(X, j, t, n), false, kernelRow(kernels, j), false, phase(zFull, t), 1.0, 1.0);
            }
        }
        // (21), (25) A = R(Z), applied to the whole full output (contiguous, so fast); R' needs only a
        INDArray aFull = activation.applyInPlace(zFull);
        // (21) the output is A at the valid positions: an (H', N, W', D) view of the full rows, not a copy (the next
        // layer reads it once, in whatever order it needs; a copy would be one more pass over the activations)
        INDArray a = validPositions(buffers, "aFull", aFull, n);
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
        // (26) δ = ∂C/∂a ⊙ R'(z) over the full rows, contiguous (R' needs only a); 0 where ∂C/∂a is 0
        INDArray deltaFull = activation.delta(gradFull, aFull, buffers.get("deltaFull", type, fullRows(n), depth));

        INDArray gradOffsets = buffers.get("gradOffsets", type, (long) kH * kW * inputShape.depth(), depth);
        for (int j = 0; j < kH; j++) {
            if (foldedKernelGradient) {
                for (int t = 0; t < kW; t++) {
                    // (28) ∇W_k^{l,d} = A_k ⋆ δ^{l,d}: for kernel row j, Σ_{x,y} a_{x+i,y+j,k} δ_{x,y} over the
                    // mini-batch, for every i and k at once, summed over the phases t
                    Blas.gemm(window(X, j, t, n), true, phase(deltaFull, t), false,
                            kernelRow(Matrix.of(gradOffsets), j), 1.0, t == 0 ? 0.0 : 1.0);
                }
            } else {
                for (int i = 0; i < kW; i++) {
                    // (28) the same for one offset (i, j) at a time: a matrix-vector product when C = 1
                    Blas.gemm(offsetWindow(X, i, j, n), true, Matrix.of(deltaFull), false,
                            kernelRow(Matrix.of(gradOffsets), j).rows((long) i * inputShape.depth(),
                                    inputShape.depth()), 1.0, 0.0);
                }
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
            for (int t = 0; t < kW; t++) {
                // (27) ∇A_k = Σ_d W_k^{l,d} * δ^{l,d}: each δ_{x',y'} reaches a_{x'+i,y'+j} through w_{i,j}, for
                // every i at once at the positions of phase t
                Blas.gemm(phase(deltaFull, t), false, kernelRow(kernels, j), true, window(gradX, j, t, n), 1.0, 1.0);
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
        Layouts.spatialInto(input, inputShape, rows, buffers);
        return X;
    }

    /**
     * The inputs that kernel row j meets at the full output rows of phase t (r = q·kW + t): row q holds the kW·C
     * numbers of the kW rows of {@code rows} from row j·N·W + r on.
     */
    private Matrix window(INDArray rows, int j, int t, long n) {
        long phaseRows = (fullRows(n) - t + kW - 1) / kW;
        return Matrix.of(rows).rows((long) j * n * inputShape.width() + t, phaseRows * kW).joinRows(kW);
    }

    /** The full output rows r = q·kW + t of a (H'·N·W, D) array: phase t. */
    private Matrix phase(INDArray full, int t) {
        return Matrix.of(full).rows(t, full.rows() - t).everyRow(kW);
    }

    /** The H'·N·W rows of {@code rows} starting at j·N·W + i: the inputs that kernel element (i, j) meets. */
    private Matrix offsetWindow(INDArray rows, int i, int j, long n) {
        return Matrix.of(rows).rows((long) j * n * inputShape.width() + i, fullRows(n));
    }

    /** The kernels rearranged as kH·kW stacked (C, D) matrices, one per offset (i, j). */
    private Matrix offsetMatrices(Buffers buffers) {
        INDArray stacked = buffers.get("kernels", W.dataType(), kH, kW, inputShape.depth(), spec.depth());
        Elementwise.copy(buffers.view("W by offset", W, w -> w.permute(2, 3, 1, 0)), stacked);
        return Matrix.of(buffers.view("kernels as rows", stacked, k -> k.reshape('c',
                (long) kH * kW * inputShape.depth(), spec.depth())));
    }

    /** The (kW·C, D) matrix of kernel row j, rows (i, k), in a stack made by {@link #offsetMatrices(Buffers)}. */
    private Matrix kernelRow(Matrix stacked, int j) {
        return stacked.rows((long) j * kW * inputShape.depth(), (long) kW * inputShape.depth());
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
