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
 *
 * <p>The full rows compute W/W' times the useful sums (1.3× for a 4×4 kernel on 13 columns). When kH·C ≥ 64 the
 * layer computes (24) and (28) over the valid positions only, by output image row: the input is first stacked by
 * kernel row ({@code stackedRows}: row (y, x, n) holds a<sub>x,y+j,k</sub> for every j and k, kH copies of the
 * input in all), so that for output row y and kernel column i the inputs of every valid x and sample are W'·N
 * consecutive stacked rows; one product with the kernel column w<sub>i,·,·</sub> (inner dimension kH·C) then sums
 * j and k, and kH·kW products become H'·kW smaller ones without the waste. The output, rows (y, x, n), is returned
 * as a permuted (H', N, W', D) view. (27) keeps the full-row schedule (δ copied into full rows): by output row it
 * would need the stacked gradient summed back over j, which ND4J's strided additions make slower than the waste.
 */
public final class ConvolutionalLayer implements Layer {

    /**
     * Narrowest kernel row (kW·C) for which (28) is computed per kernel row: below it the products of one offset
     * are matrix-vector products, 4× faster for the first layer of the example CNN (kW·C = 3, docs/performance.md).
     */
    private static final int FOLDED_GRADIENT_MIN_WIDTH = 16;

    /**
     * Smallest kH·C for which (24) and (28) run by output image row over the valid positions only (see the class
     * comment): below it the products' inner dimension kH·C is too short to pay for stacking the input.
     */
    private static final int BY_OUTPUT_ROW_MIN_DEPTH = 64;

    private final ConvolutionalLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation;
    private final Dropout dropout;
    private final int kW;
    private final int kH;
    /** (28) by kernel row (kW·C inner rows) or by offset: by offset is faster for very few channels (measured). */
    private final boolean foldedKernelGradient;
    /** (24) and (28) by output image row over the valid positions (kH·C ≥ 64) rather than over full rows. */
    private final boolean byOutputRow;

    private final INDArray W;
    private final INDArray b;
    private final INDArray gradW;
    private final INDArray gradB;
    private final List<Parameter> parameters;
    private final Buffers.PerMode buffers = new Buffers.PerMode();

    // Kept from the last training-mode forward pass for backward.
    private int inputRank;
    private INDArray X;
    private INDArray stacked;
    private INDArray a;
    private INDArray aFull;
    private INDArray aRows;
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
        this.byOutputRow = byOutputRow(spec, inputShape);
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

    /**
     * True when a layer of this spec on this input computes (24) and (28) by output image row, on the input
     * stacked kH times (kH·C ≥ 64; see the class comment); false for the full-row schedule.
     */
    public static boolean byOutputRow(ConvolutionalLayerSpec spec, Shape inputShape) {
        return spec.kernelSize().height() * inputShape.depth() >= BY_OUTPUT_ROW_MIN_DEPTH;
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(input);
        DataType type = W.dataType();
        INDArray a = byOutputRow ? forwardByOutputRow(buffers, input, n, mode)
                : forwardByFullRows(buffers, input, n, mode);
        if (mode == Mode.INFERENCE) {
            return a;
        }
        this.inputRank = input.rank();
        this.a = a;
        if (!dropout.active()) {
            return a;
        }
        dropoutMask = dropout.mask(buffers.get("mask", type, a.shape()));                 // inverted dropout
        return buffers.get("dropped", type, a.shape()).assign(a).muli(dropoutMask);
    }

    /** (21), (24), (25) over the full rows of {@code X}: kH·kW products of inner dimension kW·C. */
    private INDArray forwardByFullRows(Buffers buffers, INDArray input, long n, Mode mode) {
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
        if (mode == Mode.TRAINING) {
            this.X = X;
            this.aFull = aFull;
        }
        // (21) the output is A at the valid positions: an (H', N, W', D) view of the full rows, not a copy (the next
        // layer reads it once, in whatever order it needs; a copy would be one more pass over the activations)
        return validPositions(buffers, "aFull", aFull, n);
    }

    /**
     * (21), (24), (25) by output image row: for each image row y of the output and kernel column i, one product
     * of the stacked inputs of every valid x and sample (W'·N rows of kH·C) with the kernel column w_{i,·,·}.
     */
    private INDArray forwardByOutputRow(Buffers buffers, INDArray input, long n, Mode mode) {
        DataType type = W.dataType();
        int depth = outputShape.depth();
        long rowsPerY = outputShape.width() * n;                        // output rows (x, sample) of one image row y
        INDArray stacked = stackedRows(buffers, input, n);
        Matrix kernels = kernelColumns(buffers);
        INDArray zRows = buffers.get("zRows", type, outputShape.height() * rowsPerY, depth);
        Blas.gemm(buffers.ones(type, zRows.rows(), 1), false, b, false, zRows, 1.0, 0.0);  // z = b^{l,d}, then
        for (long y = 0; y < outputShape.height(); y++) {
            for (int i = 0; i < kW; i++) {
                // (24) z_{x,y} += Σ_j Σ_k w_{i,j,k} a_{x+i,y+j,k} for every valid x of image row y: the gemm sums j, k
                Blas.gemm(stackedWindow(stacked, y, i, n), false, kernelColumn(kernels, i), false,
                        Matrix.of(zRows).rows(y * rowsPerY, rowsPerY), 1.0, 1.0);
            }
        }
        INDArray aRows = activation.applyInPlace(zRows);                   // (21), (25) A = R(Z); R' needs only a
        if (mode == Mode.TRAINING) {
            this.stacked = stacked;
            this.aRows = aRows;
        }
        return byRowAsSpatial(buffers, "aRows", aRows, n);                  // a view, (H', N, W', D)
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        DataType type = a.dataType();
        long n = Layouts.batchSize(a);
        INDArray gradA = Layouts.spatial(gradOutput, outputShape);
        if (dropout.active()) {
            gradA = buffers.get("gradA", type, a.shape()).assign(gradA).muli(dropoutMask);
        }
        INDArray deltaFull = byOutputRow ? kernelGradientByOutputRow(buffers, gradA, n, inputGradient)
                : kernelGradientByFullRows(buffers, gradA, n);
        if (!inputGradient) {
            return null;
        }
        Matrix kernels = offsetMatrices(buffers);
        INDArray gradX = Elementwise.fill(buffers.get("gradX", type, inputRows(n) + paddingRows(), inputShape.depth()),
                0.0);
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

    /**
     * (26) δ over the full rows, (28) and ∂C/∂b from it, for the full-row schedule; returns δ at every full row
     * (0 at the rows that are not valid positions), which (27) reads.
     */
    private INDArray kernelGradientByFullRows(Buffers buffers, INDArray gradA, long n) {
        DataType type = gradA.dataType();
        int depth = outputShape.depth();
        // ∂C/∂a at every row of the full output: 0 at the rows that are not valid positions
        INDArray gradFull = gradientRows(buffers, gradA, aFull);
        if (gradFull == null) {
            gradFull = buffers.get("gradFull", type, fullRows(n), depth);
            Elementwise.copy(gradA, validPositions(buffers, "gradFull", gradFull, n));
        }
        zeroGap(gradFull, n);               // the positions x ≥ W' hold what an earlier pass or the producer left
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
        return deltaFull;
    }

    /**
     * (26) δ at the valid positions, (28) and ∂C/∂b from it, for the schedule by output image row; returns δ at
     * every full row for (27) when the input gradient is wanted (else null).
     */
    private INDArray kernelGradientByOutputRow(Buffers buffers, INDArray gradA, long n, boolean inputGradient) {
        DataType type = gradA.dataType();
        int depth = outputShape.depth();
        long rowsPerY = outputShape.width() * n;
        INDArray gradRows = gradientRows(buffers, gradA, aRows);
        if (gradRows == null) {
            gradRows = buffers.get("gradRows", type, aRows.rows(), depth);
            Elementwise.copy(gradA, byRowAsSpatial(buffers, "gradRows", gradRows, n));
        }
        // (26) δ = ∂C/∂a ⊙ R'(z) at the valid positions, row (y, x, sample)
        INDArray deltaRows = activation.delta(gradRows, aRows, buffers.get("deltaRows", type, aRows.rows(), depth));
        INDArray gradColumns = buffers.get("gradColumns", type, (long) kW * kH * inputShape.depth(), depth);
        for (int i = 0; i < kW; i++) {
            for (long y = 0; y < outputShape.height(); y++) {
                // (28) ∇W_k^{l,d} = A_k ⋆ δ^{l,d}: for kernel column i, Σ_x a_{x+i,y+j,k} δ_{x,y} for every j and k,
                // summed over the image rows y
                Blas.gemm(stackedWindow(stacked, y, i, n), true, Matrix.of(deltaRows).rows(y * rowsPerY, rowsPerY),
                        false, kernelColumn(Matrix.of(gradColumns), i), 1.0, y == 0 ? 0.0 : 1.0);
            }
        }
        Elementwise.copy(buffers.view("gradColumns as W", gradColumns,
                g -> g.reshape('c', kW, kH, inputShape.depth(), depth).permute(3, 2, 1, 0)), gradW);
        // ∂C/∂b^{l,d} = Σ_{x,y} δ_{x,y}^{l,d}, over the mini-batch
        Blas.gemm(buffers.ones(type, deltaRows.rows(), 1), true, deltaRows, false, gradB, 1.0, 0.0);
        if (!inputGradient) {
            return null;
        }
        // δ at the valid positions of a full-row array, 0 elsewhere, which (27) reads
        INDArray deltaFull = buffers.get("deltaFull", type, fullRows(n), depth);
        Elementwise.copy(byRowAsSpatial(buffers, "deltaRows", deltaRows, n),
                validPositions(buffers, "deltaFull", deltaFull, n));
        zeroGap(deltaFull, n);
        return deltaFull;
    }

    /** Sets the rows of a full (H'·N·W, D) array that are not valid positions (x ≥ W') to 0. */
    private void zeroGap(INDArray full, long n) {
        if (kW > 1) {
            int depth = outputShape.depth();
            Blas.zero(new Matrix(full, full.offset() - full.data().offset() + (long) outputShape.width() * depth,
                    (int) (outputShape.height() * n), (kW - 1) * depth, inputShape.width() * depth));
        }
    }

    /**
     * ∂C/∂a read straight from the gradient's memory as rows shaped like {@code rows} (the full rows, or the rows
     * (y, x, n)), when the next layer returned the gradient laid out in its memory as this layer's output lies in
     * {@code rows} (max pooling does: {@link Layouts#gradientLike}); null when it did not, and the gradient must be
     * copied. In the full-row schedule the caller zeroes the gradient memory's columns x ≥ W', which the output
     * view leaves out.
     */
    private INDArray gradientRows(Buffers buffers, INDArray gradA, INDArray rows) {
        if (!Layouts.sameMemoryLayout(gradA, a)) {
            return null;
        }
        return buffers.view("gradient rows", gradA, g -> Layouts.strided(g, 0, rows.shape(), rows.stride()));
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

    /** Writes the input into {@code X} as H·N·W rows of C channels, followed by kW − 1 rows of zeros. */
    private INDArray paddedRows(Buffers buffers, INDArray input, INDArray X) {
        long n = Layouts.batchSize(input);
        INDArray rows = buffers.view("X rows", X, x -> x.get(NDArrayIndex.interval(0, inputRows(n)),
                NDArrayIndex.all()).reshape('c', Layouts.spatialShape(n, inputShape)));
        Layouts.spatialInto(input, inputShape, rows, buffers);
        if (paddingRows() > 0) {
            Blas.zero(Matrix.of(X).rows(inputRows(n), paddingRows()));
        }
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

    /** The kernels rearranged as kH·kW stacked (C, D) matrices, one per offset (i, j): rows (j, i, k). */
    private Matrix offsetMatrices(Buffers buffers) {
        return kernelStack(buffers, "by offset", kH, kW, 2, 3);
    }

    /**
     * W, (D, C, kH, kW), copied into a (first, second, C, D) stack whose first two axes are W's axes {@code a} and
     * {@code b}: as (first·second·C, D) rows.
     */
    private Matrix kernelStack(Buffers buffers, String order, long first, long second, int a, int b) {
        INDArray stacked = buffers.get("kernels " + order, W.dataType(), first, second, inputShape.depth(),
                spec.depth());
        Elementwise.copy(buffers.view("W " + order, W, w -> w.permute(a, b, 1, 0)), stacked);
        return Matrix.of(buffers.view("kernels " + order + " as rows", stacked, k -> k.reshape('c',
                first * second * inputShape.depth(), spec.depth())));
    }

    /** The (kW·C, D) matrix of kernel row j, rows (i, k), in a stack made by {@link #offsetMatrices(Buffers)}. */
    private Matrix kernelRow(Matrix stacked, int j) {
        return stacked.rows((long) j * kW * inputShape.depth(), (long) kW * inputShape.depth());
    }

    /**
     * The input stacked by kernel row, for the schedule by output image row: an (H'·W·N, kH·C) array whose row
     * (y, x, sample) holds a_{x,y+j,k} for j = 0…kH−1 and every k, j first. Written by kH copies, one per j, between
     * 4-d views made from the strides (any input layout; never a view of a view).
     */
    private INDArray stackedRows(Buffers buffers, INDArray input, long n) {
        DataType type = W.dataType();
        int channels = inputShape.depth();
        INDArray spatial = input.rank() == 4 ? input : Layouts.spatialInto(input, inputShape,
                buffers.get("spatial input", type, Layouts.spatialShape(n, inputShape)), buffers);
        long height = outputShape.height();
        long width = inputShape.width();
        INDArray stacked = buffers.get("stacked", type, height * width * n, (long) kH * channels);
        long[] in = spatial.stride();
        long[] blockShape = {height, width, n, channels};
        for (int j = 0; j < kH; j++) {
            long jj = j;
            // rows y + j of every sample, ordered (y, x, sample), into column block j
            INDArray from = buffers.view("input from row " + j, spatial,
                    x -> Layouts.strided(x, jj * in[0], blockShape, new long[] {in[0], in[2], in[1], in[3]}));
            INDArray to = buffers.view("stacked block " + j, stacked, x -> Layouts.strided(x, jj * channels,
                    blockShape, new long[] {width * n * kH * channels, n * kH * channels, (long) kH * channels, 1}));
            Elementwise.copy(from, to);
        }
        return stacked;
    }

    /**
     * The stacked inputs that kernel column i meets at output image row y: the W'·N consecutive stacked rows from
     * (y, i, first sample) on, one per valid x and sample.
     */
    private Matrix stackedWindow(INDArray stacked, long y, int i, long n) {
        return Matrix.of(stacked).rows((y * inputShape.width() + i) * n, outputShape.width() * n);
    }

    /** The kernels as kW stacked (kH·C, D) matrices, one per kernel column i: rows (i, j, k). */
    private Matrix kernelColumns(Buffers buffers) {
        return kernelStack(buffers, "by column", kW, kH, 3, 2);
    }

    /** The (kH·C, D) matrix of kernel column i in a stack made by {@link #kernelColumns(Buffers)}. */
    private Matrix kernelColumn(Matrix stacked, int i) {
        return stacked.rows((long) i * kH * inputShape.depth(), (long) kH * inputShape.depth());
    }

    /** An (H'·W'·N, D) array of rows (y, x, sample) seen as the spatial (H', N, W', D) layout (remembered). */
    private INDArray byRowAsSpatial(Buffers buffers, String name, INDArray rows, long n) {
        return buffers.view(name + " as spatial", rows, r -> r.reshape('c', outputShape.height(), outputShape.width(),
                n, outputShape.depth()).permute(0, 2, 1, 3));
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
