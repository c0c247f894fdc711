package io.richard.nd4j.kernel;

import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.Size2D;
import io.richard.nd4j.kernel.Blas.Matrix;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling on the fast kernels' spatial layout (H, N, W, C).
 *
 * <p>For a region offset (i, j), the inputs a<sub>rW·x+i, rH·y+j</sub> of every region of every sample form one
 * strided view shaped like the output. So the max over i, j of (29) is a loop over the rW·rH offsets, in scan
 * order (row by row, x ascending), with one element-wise maximum each, on contiguous copies of the offsets (ND4J
 * is slow on strided operands). When the input lies in memory rows of whole regions (a C-order array, or a
 * convolution's output: a view of full rows wider than its valid positions), the copy of an offset is one matrix
 * per output image row ({@link Blas#copy}, N·columns rows of C channels); the kernel then computes every region
 * column of those rows and returns the first W' (the others read pixels that are not the input's).
 *
 * <p>The argmax mask of (33) is recorded on the way: {@code raised[o]} is 1 where offset o's input is strictly
 * greater than every input before it in its region. The first maximum of a region is then the last offset that
 * raised it (offset 0 when none did), the reference's tie rule; {@link #route} walks the offsets from the last
 * one, routes δ to each offset that raised its region's maximum and has not been routed yet, and gives what is
 * left to offset 0. It never rereads the input. The input gradient is laid out in memory like the input
 * ({@link Layouts#gradientLike}), so that a convolution takes it as its own rows without a copy.
 */
final class FastPooling implements PoolingKernel {

    private final Shape inputShape;
    private final Shape outputShape;
    private final int rW;
    private final int rH;
    private final Buffers.PerMode buffers = new Buffers.PerMode();
    // kept from the last training pass
    private int inputRank;
    private INDArray A;

    FastPooling(Shape input, Size2D region) {
        this.inputShape = input;
        this.rW = region.width();
        this.rH = region.height();
        this.outputShape = new Shape(input.width() / rW, input.height() / rH, input.depth());
    }

    @Override
    public INDArray max(INDArray aPrev, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        INDArray A = Layouts.spatial(aPrev, inputShape);
        long[] shape = arrayShape(A);
        DataType type = A.dataType();
        INDArray z = offsetInto(buffers, A, 0, buffers.get("z", type, shape));
        INDArray candidate = buffers.get("candidate", type, shape);
        boolean training = mode.isTraining();
        for (int o = 1; o < rW * rH; o++) {
            offsetInto(buffers, A, o, candidate);
            if (training) {
                // where a_{x+i,y+j} > max so far, the region's first maximum moves to offset o (for (33))
                INDArray raisedHere = raised(buffers, type, shape, o);
                Elementwise.step(Elementwise.subtract(candidate, z, raisedHere), raisedHere);
            }
            Elementwise.max(z, candidate, z);                   // (29) z_{x,y,z} = max_{i,j} a_{x+i,y+j,z}
        }
        if (training) {
            this.inputRank = aPrev.rank();
            this.A = A;
        }
        return outputColumns(buffers, "z", z);
    }

    @Override
    public INDArray route(INDArray gradOutput) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        INDArray delta = Layouts.spatial(gradOutput, outputShape);
        DataType type = delta.dataType();
        long[] shape = arrayShape(A);
        // ∇a C of the input in the input's own layout (a convolution's output is a view of its full rows, and takes
        // this array as its own full rows without a copy)
        INDArray gradA = Layouts.gradientLike(A, "gradA", buffers);
        // δ in the computed columns; those past W' (if any) are 0, so nothing is routed from them
        INDArray unrouted = intoColumns(buffers, delta, buffers.get("unrouted", type, shape));
        INDArray routed = buffers.get("routed", type, shape);
        for (int o = rW * rH - 1; o >= 1; o--) {
            // (33) δ goes to offset o where o holds its region's first maximum: o raised the maximum and no later
            // offset did (those took their δ already)
            Elementwise.multiply(raised(buffers, type, shape, o), unrouted, routed);
            Elementwise.subtract(unrouted, routed, unrouted);
            offsetFrom(buffers, "routed", routed, o, gradA);
        }
        offsetFrom(buffers, "unrouted", unrouted, 0, gradA);        // (33) regions no later offset raised: offset 0
        return Layouts.as(gradA, inputRank, inputShape);
    }

    /**
     * The shape (H', N, columns, C) of the layer's arrays (maxima, candidates, masks, δ) for input A: every region
     * column of A's memory rows when they can be copied by matrices ({@link #rowColumns}), else the W' of the output.
     */
    private long[] arrayShape(INDArray A) {
        return new long[] {outputShape.height(), Layouts.batchSize(A), Math.max(outputShape.width(), rowColumns(A)),
                outputShape.depth()};
    }

    /** {@code raised[o]}, shaped like the computed output: 1 where offset o raised its region's maximum, else 0. */
    private static INDArray raised(Buffers buffers, DataType type, long[] shape, int o) {
        return buffers.get("raised " + o, type, shape);
    }

    /**
     * The output columns a spatial array's memory rows hold, when they can be read by region offset with one
     * matrix copy per output image row: pixels C apart (channels contiguous), samples a whole number of regions
     * apart, and memory up to the end of the last sample's row. Such an array lies in rows of
     * {@code columns · rW} pixels: a C-order array (columns = W'), or a convolution's output, a view of full
     * rows wider than its valid positions (columns &gt; W'; the region columns past W' read pixels that are not
     * the input's, and are left out of the output). −1 for any other layout.
     */
    private long rowColumns(INDArray spatial) {
        long channels = inputShape.depth();
        long[] stride = spatial.stride();
        long n = spatial.size(1);
        if ((channels > 1 && stride[3] != 1) || (inputShape.width() > 1 && stride[2] != channels)) {
            return -1;
        }
        if (n == 1) {
            return outputShape.width();
        }
        long regionRow = rW * channels;
        long memory = spatial.data().length() - (spatial.offset() - spatial.data().offset());
        boolean rows = stride[1] % regionRow == 0 && stride[1] >= inputShape.width() * channels
                && (inputShape.height() - 1) * stride[0] + n * stride[1] <= memory;
        return rows ? stride[1] / regionRow : -1;
    }

    /**
     * Copies the inputs at offset o = j·rW + i of every region into {@code target} (H', N, columns, C), contiguous.
     * When A's memory rows hold the target's columns, image row y' is one matrix of N·columns rows of C channels,
     * rW·C apart ({@link Blas#copy}); else one strided copy of the offset's view.
     */
    private INDArray offsetInto(Buffers buffers, INDArray A, int o, INDArray target) {
        if (rowColumns(A) == target.size(2)) {
            for (long y = 0; y < outputShape.height(); y++) {
                Blas.copy(offsetRow(A, o, y, target.size(2)), targetRow(target, y));
            }
        } else {
            Elementwise.copy(offset(buffers, "A", A, o), target);
        }
        return target;
    }

    /** Copies {@code source} (H', N, columns, C) to offset o of every region of {@code gradA}: the inverse copy. */
    private void offsetFrom(Buffers buffers, String name, INDArray source, int o, INDArray gradA) {
        if (rowColumns(gradA) == source.size(2)) {
            for (long y = 0; y < outputShape.height(); y++) {
                Blas.copy(targetRow(source, y), offsetRow(gradA, o, y, source.size(2)));
            }
        } else {
            Elementwise.copy(outputColumns(buffers, name, source), offset(buffers, "gradA", gradA, o));
        }
    }

    /**
     * Offset o = j·rW + i of the regions of output image row y, for every sample and computed column: N·columns
     * rows of C channels, rW·C apart, from pixel (i, rH·y + j) of the first sample on.
     */
    private Matrix offsetRow(INDArray spatial, int o, long y, long columns) {
        long[] stride = spatial.stride();
        long first = spatial.offset() - spatial.data().offset() + (rH * y + o / rW) * stride[0]
                + (long) (o % rW) * inputShape.depth();
        return new Matrix(spatial, first, (int) (spatial.size(1) * columns), inputShape.depth(),
                rW * inputShape.depth());
    }

    /** Output image row y of a contiguous (H', N, columns, C) array: N·columns rows of C channels. */
    private static Matrix targetRow(INDArray target, long y) {
        long rows = target.size(1) * target.size(2);
        return new Matrix(target, target.offset() - target.data().offset() + y * rows * target.size(3), (int) rows,
                (int) target.size(3), (int) target.size(3));
    }

    /**
     * Copies an output-shaped (H', N, W', C) array into the first W' columns of a computed (H', N, columns, C) one
     * (when it is in C order, one matrix copy whose H'·N rows are W'·C numbers, {@link Blas#copy}) and sets the
     * columns past W' to 0.
     */
    private INDArray intoColumns(Buffers buffers, INDArray output, INDArray computed) {
        int rows = (int) (outputShape.height() * computed.size(1));
        int row = outputShape.width() * outputShape.depth();
        int computedRow = (int) (computed.size(2) * outputShape.depth());
        if (computed.size(2) == outputShape.width() || !Layouts.cOrder(output)) {
            Elementwise.copy(output, outputColumns(buffers, "into", computed));
        } else {
            Blas.copy(new Matrix(output, output.offset() - output.data().offset(), rows, row, row),
                    new Matrix(computed, 0, rows, row, computedRow));
        }
        if (computedRow > row) {
            Blas.zero(new Matrix(computed, row, rows, computedRow - row, computedRow));
        }
        return computed;
    }

    /** The first W' columns of a computed (H', N, columns, C) array: the array itself when columns = W'. */
    private INDArray outputColumns(Buffers buffers, String name, INDArray computed) {
        if (computed.size(2) == outputShape.width()) {
            return computed;
        }
        return buffers.view(name + " columns", computed, c -> Layouts.strided(c, 0, Layouts.spatialShape(c.size(1),
                outputShape), c.stride()));
    }

    /** The inputs at offset o = j·rW + i of every region (see {@link #offset(INDArray, int, int)}), remembered. */
    private INDArray offset(Buffers buffers, String name, INDArray spatial, int o) {
        return buffers.view(name + " " + o, spatial, s -> offset(s, o % rW, o / rW));
    }

    /**
     * The inputs at offset (i, j) of every region: a strided (H', N, W', C) view of the spatial array, which may
     * itself be a view (a convolution's output is). Made from the array's strides rather than with
     * {@code INDArray.get}: ND4J 1.0.0-M2.1 mis-shapes views of views whose dimensions are 1 long.
     */
    private INDArray offset(INDArray spatial, int i, int j) {
        long[] stride = spatial.stride();
        return Layouts.strided(spatial, j * stride[0] + i * stride[2], Layouts.spatialShape(spatial.size(1),
                outputShape), new long[] {rH * stride[0], stride[1], rW * stride[2], stride[3]});
    }
}
