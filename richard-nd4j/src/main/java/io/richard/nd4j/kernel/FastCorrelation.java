package io.richard.nd4j.kernel;

import io.richard.api.Activation;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.kernel.Blas.Matrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The correlation of (24), (27) and (28) as CBLAS products over windows of rows, im2col-free, on the fast
 * kernels' spatial layout (H, N, W, C).
 *
 * <p>A mini-batch is a matrix {@code X} of H·N·W rows of C channels, row r = (y·N + n)·W + x, followed by kW − 1
 * zero rows. For the kernel offset (i, j) the inputs a<sub>x+i,y+j</sub> met by the output positions of the first
 * H' image rows of every sample are the H'·N·W rows starting at j·N·W + i: one contiguous window, no copy. The
 * weighted sums are computed at all those H'·N·W "full" rows; the rows with x ≥ W' are not valid positions, and
 * the kernel returns an (H', N, W', D) view that leaves them out (no copy). Backward sets δ to 0 at those rows.
 *
 * <p>The sums of (24) over i and k are one product per kernel row j: the inputs a<sub>x+i,y+j,k</sub> for
 * i = 0…kW−1 and every k are the kW consecutive rows of X from row (x, y + j) on, kW·C numbers that follow each
 * other in memory. Read as one row ({@link Matrix#joinRows}), they meet the kernel row w<sub>·,j,·</sub> stacked as
 * a (kW·C, D) matrix. Runs of kW rows must not overlap within one product, so the full output rows are taken in kW
 * phases, r = q·kW + t for t = 0…kW−1 ({@link Matrix#everyRow}): kH·kW products of inner dimension kW·C. (One
 * product per offset (i, j) has inner dimension C, which runs far below the machine's peak for C = 32;
 * docs/performance.md.) The same windows give (28) as {@code ∇W_j = window(j, t)ᵀ · δ_t} summed over the phases
 * and (27) as {@code ∇X[window(j, t)] += δ_t · W_jᵀ}, with δ zero at the positions that are not valid.
 *
 * <p>The full rows compute W/W' times the useful sums (1.3× for a 4×4 kernel on 13 columns). When kH·C ≥ 64 the
 * kernel computes (24) and (28) over the valid positions only, by output image row: the input is first stacked by
 * kernel row ({@code stackedRows}: row (y, x, n) holds a<sub>x,y+j,k</sub> for every j and k), so that for output
 * row y and kernel column i the inputs of every valid x and sample are W'·N consecutive stacked rows; one product
 * with the kernel column w<sub>i,·,·</sub> (inner dimension kH·C) then sums j and k, and kH·kW products become
 * H'·kW smaller ones without the waste. The weighted sums, rows (y, x, n), are returned as a permuted
 * (H', N, W', D) view. (27) keeps the full-row schedule (δ copied into full rows): by output row it would need the
 * stacked gradient summed back over j, which ND4J's strided additions make slower than the waste.
 *
 * <p>The activation is applied to all the rows the returned view belongs to, which are contiguous (fast), and δ is
 * computed on them; a gradient laid out in memory like those rows (as {@link FastPooling} returns it) is read
 * without a copy.
 */
public final class FastCorrelation implements LinearKernel {

    /**
     * Narrowest kernel row (kW·C) for which (28) is computed per kernel row: below it the products of one offset
     * are matrix-vector products, 4× faster for the first layer of the example CNN (kW·C = 3; docs/performance.md,
     * "the kernel gradient of the first convolution").
     */
    private static final int FOLDED_GRADIENT_MIN_WIDTH = 16;

    /**
     * Smallest kH·C for which (24) and (28) run by output image row over the valid positions only (see the class
     * comment): below it the products' inner dimension kH·C is too short to pay for stacking the input
     * (docs/performance.md, point 17).
     */
    private static final int BY_OUTPUT_ROW_MIN_DEPTH = 64;

    private final Shape inputShape;
    private final Shape outputShape;
    private final int kW;
    private final int kH;
    /** (28) by kernel row (kW·C inner rows) or by offset: by offset is faster for very few channels (measured). */
    private final boolean foldedKernelGradient;
    /** (24) and (28) by output image row over the valid positions (kH·C ≥ 64) rather than over full rows. */
    private final boolean byOutputRow;
    private final Buffers.PerMode buffers = new Buffers.PerMode();

    // kept from the last training pass
    private int inputRank;
    private INDArray X;
    private INDArray stacked;
    private INDArray a;
    private INDArray aFull;
    private INDArray aRows;

    FastCorrelation(Shape input, Size2D kernel, int depth) {
        this.inputShape = input;
        this.kW = kernel.width();
        this.kH = kernel.height();
        this.outputShape = new Shape(input.width() - kW + 1, input.height() - kH + 1, depth);
        this.foldedKernelGradient = kW * input.depth() >= FOLDED_GRADIENT_MIN_WIDTH;
        this.byOutputRow = byOutputRow(input, kernel);
    }

    /**
     * True when a correlation with this kernel size on this input computes (24) and (28) by output image row, on
     * the input stacked kH times (kH·C ≥ 64; see the class comment); false for the full-row schedule.
     */
    public static boolean byOutputRow(Shape input, Size2D kernel) {
        return kernel.height() * input.depth() >= BY_OUTPUT_ROW_MIN_DEPTH;
    }

    @Override
    public INDArray weightedSums(INDArray aPrev, INDArray W, INDArray b, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(aPrev);
        if (mode.isTraining()) {
            this.inputRank = aPrev.rank();
        }
        return byOutputRow ? sumsByOutputRow(buffers, aPrev, W, b, n, mode) : sumsByFullRows(buffers, aPrev, W, b, n,
                mode);
    }

    /** (24) over the full rows of {@code X}: kH·kW products of inner dimension kW·C; an (H', N, W', D) view. */
    private INDArray sumsByFullRows(Buffers buffers, INDArray input, INDArray W, INDArray b, long n, Mode mode) {
        DataType type = W.dataType();
        INDArray X = paddedRows(buffers, input, buffers.get("X", type, inputRows(n) + paddingRows(), inputShape.depth()));
        Matrix kernels = offsetMatrices(buffers, W);
        INDArray zFull = fullRowsArray(buffers, type, n);
        Blas.gemm(buffers.ones(type, fullRows(n), 1), false, b, false, zFull, 1.0, 0.0);  // z = b^{l,d} everywhere, then
        for (int j = 0; j < kH; j++) {
            for (int t = 0; t < kW; t++) {
                // z_{x,y} += Σ_i Σ_k w_{i,j,k} a_{x+i,y+j,k} at the positions of phase t: the sums are the gemm
                Blas.gemm(window(X, j, t, n), false, kernelRow(kernels, j), false, phase(zFull, t), 1.0, 1.0);
            }
        }
        if (mode.isTraining()) {
            this.X = X;
        }
        // the valid positions: an (H', N, W', D) view of the full rows, not a copy (the next layer reads it once, in
        // whatever order it needs; a copy would be one more pass over the activations)
        return validPositions(buffers, "zFull", zFull, n);
    }

    /**
     * (24) by output image row: for each image row y of the output and kernel column i, one product of the
     * stacked inputs of every valid x and sample (W'·N rows of kH·C) with the kernel column w_{i,·,·}; an
     * (H', N, W', D) view of the rows (y, x, n).
     */
    private INDArray sumsByOutputRow(Buffers buffers, INDArray input, INDArray W, INDArray b, long n, Mode mode) {
        DataType type = W.dataType();
        long rowsPerY = outputShape.width() * n;                        // output rows (x, sample) of one image row y
        INDArray stacked = stackedRows(buffers, input, n);
        Matrix kernels = kernelColumns(buffers, W);
        INDArray zRows = rowsArray(buffers, type, n);
        Blas.gemm(buffers.ones(type, zRows.rows(), 1), false, b, false, zRows, 1.0, 0.0);  // z = b^{l,d}, then
        for (long y = 0; y < outputShape.height(); y++) {
            for (int i = 0; i < kW; i++) {
                // z_{x,y} += Σ_j Σ_k w_{i,j,k} a_{x+i,y+j,k} for every valid x of image row y: the gemm sums j, k
                Blas.gemm(stackedWindow(stacked, y, i, n), false, kernelColumn(kernels, i), false,
                        Matrix.of(zRows).rows(y * rowsPerY, rowsPerY), 1.0, 1.0);
            }
        }
        if (mode.isTraining()) {
            this.stacked = stacked;
        }
        return byRowAsSpatial(buffers, "zRows", zRows, n);
    }

    /**
     * a = f(z) on all the rows that {@code z} (just returned by {@link #weightedSums}) is a view of: contiguous,
     * so one fast pass (the full rows' extra positions included); f' needs only a.
     */
    @Override
    public INDArray activate(Activation f, INDArray z, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(z);
        INDArray rows = byOutputRow ? rowsArray(buffers, z.dataType(), n) : fullRowsArray(buffers, z.dataType(), n);
        if (z.data().address() != rows.data().address()) {              // the same memory (views wrap it anew)
            throw new IllegalArgumentException("activate takes the weighted sums this kernel returned last");
        }
        f.applyInPlace(rows);
        if (mode.isTraining()) {
            this.a = z;
            this.aFull = byOutputRow ? null : rows;
            this.aRows = byOutputRow ? rows : null;
        }
        return z;
    }

    /**
     * δ = ∇a C ⊙ f'(z) on the rows of the last training pass: the full rows (0 at the positions that are not
     * valid) or the rows (y, x, n).
     */
    @Override
    public INDArray delta(Activation f, INDArray gradOutput) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        INDArray gradA = Layouts.spatial(gradOutput, outputShape);
        DataType type = gradA.dataType();
        long n = Layouts.batchSize(a);
        int depth = outputShape.depth();
        if (byOutputRow) {
            INDArray gradRows = gradientRows(buffers, gradA, aRows);
            if (gradRows == null) {
                gradRows = buffers.get("gradRows", type, aRows.rows(), depth);
                Elementwise.copy(gradA, byRowAsSpatial(buffers, "gradRows", gradRows, n));
            }
            return f.delta(gradRows, aRows, buffers.get("deltaRows", type, aRows.rows(), depth));
        }
        // ∂C/∂a at every row of the full output: 0 at the rows that are not valid positions
        INDArray gradFull = gradientRows(buffers, gradA, aFull);
        if (gradFull == null) {
            gradFull = buffers.get("gradFull", type, fullRows(n), depth);
            Elementwise.copy(gradA, validPositions(buffers, "gradFull", gradFull, n));
        }
        zeroGap(gradFull, n);               // the positions x ≥ W' hold what an earlier pass or the producer left
        return f.delta(gradFull, aFull, buffers.get("deltaFull", type, fullRows(n), depth));
    }

    /** (28) ∇W_k^{l,d} = A_k ⋆ δ^{l,d}, summed over the mini-batch, from δ in the rows {@link #delta} returned. */
    @Override
    public void weightGradient(INDArray delta, INDArray gradW) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        DataType type = delta.dataType();
        int depth = outputShape.depth();
        long n = Layouts.batchSize(a);
        if (byOutputRow) {
            long rowsPerY = outputShape.width() * n;
            INDArray gradColumns = buffers.get("gradColumns", type, (long) kW * kH * inputShape.depth(), depth);
            for (int i = 0; i < kW; i++) {
                for (long y = 0; y < outputShape.height(); y++) {
                    // for kernel column i, Σ_x a_{x+i,y+j,k} δ_{x,y} for every j and k, summed over the image rows y
                    Blas.gemm(stackedWindow(stacked, y, i, n), true, Matrix.of(delta).rows(y * rowsPerY, rowsPerY),
                            false, kernelColumn(Matrix.of(gradColumns), i), 1.0, y == 0 ? 0.0 : 1.0);
                }
            }
            Elementwise.copy(buffers.view("gradColumns as W", gradColumns,
                    g -> g.reshape('c', kW, kH, inputShape.depth(), depth).permute(3, 2, 1, 0)), gradW);
            return;
        }
        INDArray gradOffsets = buffers.get("gradOffsets", type, (long) kH * kW * inputShape.depth(), depth);
        for (int j = 0; j < kH; j++) {
            if (foldedKernelGradient) {
                for (int t = 0; t < kW; t++) {
                    // for kernel row j, Σ_{x,y} a_{x+i,y+j,k} δ_{x,y} over the mini-batch, for every i and k at once,
                    // summed over the phases t
                    Blas.gemm(window(X, j, t, n), true, phase(delta, t), false,
                            kernelRow(Matrix.of(gradOffsets), j), 1.0, t == 0 ? 0.0 : 1.0);
                }
            } else {
                for (int i = 0; i < kW; i++) {
                    // the same for one offset (i, j) at a time: a matrix-vector product when C = 1
                    Blas.gemm(offsetWindow(X, i, j, n), true, Matrix.of(delta), false,
                            kernelRow(Matrix.of(gradOffsets), j).rows((long) i * inputShape.depth(),
                                    inputShape.depth()), 1.0, 0.0);
                }
            }
        }
        Elementwise.copy(buffers.view("gradOffsets as W", gradOffsets,
                g -> g.reshape('c', kH, kW, inputShape.depth(), depth).permute(3, 2, 0, 1)), gradW);
    }

    /** ∂C/∂b^{l,d} = Σ_{x,y} δ_{x,y}^{l,d} over the mini-batch (δ is 0 at the full rows' extra positions). */
    @Override
    public void biasGradient(INDArray delta, INDArray gradB) {
        Blas.gemm(buffers.of(Mode.TRAINING).ones(delta.dataType(), delta.rows(), 1), true, delta, false, gradB, 1.0,
                0.0);
    }

    /** (27) over the full rows: δ_t · W_jᵀ added into the windows of an input-shaped gradient. */
    @Override
    public INDArray inputGradient(INDArray delta, INDArray W) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        DataType type = delta.dataType();
        long n = Layouts.batchSize(a);
        INDArray deltaFull = delta;
        if (byOutputRow) {
            // δ at the valid positions of a full-row array, 0 elsewhere
            deltaFull = buffers.get("deltaFull", type, fullRows(n), outputShape.depth());
            Elementwise.copy(byRowAsSpatial(buffers, "deltaRows", delta, n),
                    validPositions(buffers, "deltaFull", deltaFull, n));
            zeroGap(deltaFull, n);
        }
        Matrix kernels = offsetMatrices(buffers, W);
        INDArray gradX = Elementwise.fill(buffers.get("gradX", type, inputRows(n) + paddingRows(), inputShape.depth()),
                0.0);
        for (int j = 0; j < kH; j++) {
            for (int t = 0; t < kW; t++) {
                // each δ_{x',y'} reaches a_{x'+i,y'+j} through w_{i,j}, for every i at once at the positions of phase t
                Blas.gemm(phase(deltaFull, t), false, kernelRow(kernels, j), true, window(gradX, j, t, n), 1.0, 1.0);
            }
        }
        INDArray gradInput = buffers.view("gradX rows", gradX, g -> g.get(NDArrayIndex.interval(0, inputRows(n)),
                NDArrayIndex.all()).reshape('c', Layouts.spatialShape(n, inputShape)));
        return Layouts.as(gradInput, inputRank, inputShape);
    }

    /** The (H'·N·W, D) full rows of the weighted sums (and then the activations) of a mini-batch of n. */
    private INDArray fullRowsArray(Buffers buffers, DataType type, long n) {
        return buffers.get("zFull", type, fullRows(n), outputShape.depth());
    }

    /** The (H'·W'·N, D) rows (y, x, n) of the weighted sums (and then the activations), by output image row. */
    private INDArray rowsArray(Buffers buffers, DataType type, long n) {
        return buffers.get("zRows", type, outputShape.height() * outputShape.width() * n, outputShape.depth());
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
    private Matrix offsetMatrices(Buffers buffers, INDArray W) {
        return kernelStack(buffers, W, "by offset", kH, kW, 2, 3);
    }

    /**
     * W, (D, C, kH, kW), copied into a (first, second, C, D) stack whose first two axes are W's axes {@code a} and
     * {@code b}: as (first·second·C, D) rows.
     */
    private Matrix kernelStack(Buffers buffers, INDArray W, String order, long first, long second, int a,
            int b) {
        INDArray stacked = buffers.get("kernels " + order, W.dataType(), first, second, inputShape.depth(),
                outputShape.depth());
        Elementwise.copy(buffers.view("W " + order, W, w -> w.permute(a, b, 1, 0)), stacked);
        return Matrix.of(buffers.view("kernels " + order + " as rows", stacked, k -> k.reshape('c',
                first * second * inputShape.depth(), outputShape.depth())));
    }

    /** The (kW·C, D) matrix of kernel row j, rows (i, k), in a stack made by {@link #offsetMatrices}. */
    private Matrix kernelRow(Matrix stacked, int j) {
        return stacked.rows((long) j * kW * inputShape.depth(), (long) kW * inputShape.depth());
    }

    /**
     * The input stacked by kernel row, for the schedule by output image row: an (H'·W·N, kH·C) array whose row
     * (y, x, sample) holds a_{x,y+j,k} for j = 0…kH−1 and every k, j first. Written by kH copies, one per j, between
     * 4-d views made from the strides (any input layout; never a view of a view).
     */
    private INDArray stackedRows(Buffers buffers, INDArray input, long n) {
        DataType type = input.dataType();
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
    private Matrix kernelColumns(Buffers buffers, INDArray W) {
        return kernelStack(buffers, W, "by column", kW, kH, 3, 2);
    }

    /** The (kH·C, D) matrix of kernel column i in a stack made by {@link #kernelColumns}. */
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
}
