package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-overlapping max pooling over M × N regions (here rW × rH), equations (29)–(33).
 *
 * <p>Vectorised over the mini-batch and the positions: for a region offset (i, j), the inputs
 * a<sub>rW·x+i, rH·y+j</sub> of every region of every sample form one strided view of the spatial input
 * (H, N, W, C), shaped like the output. So the max over i, j of (29) is a loop over the rW·rH offsets, in scan
 * order (row by row, x ascending), with one element-wise maximum each.
 *
 * <p>The argmax mask of (33) is recorded on the way: {@code raised[o]} is 1 where offset o's input is strictly
 * greater than every input before it in its region. The first maximum of a region is then the last offset that
 * raised it (offset 0 when none did), the reference's tie rule; backward walks the offsets from the last one,
 * routes δ to each offset that raised its region's maximum and has not been routed yet, and gives what is left
 * to offset 0. Backward never rereads the input.
 */
public final class MaxPoolingLayer implements Layer {

    private final MaxPoolingLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final int rW;
    private final int rH;
    private final Buffers.PerMode buffers = new Buffers.PerMode();

    // Kept from the last training-mode forward pass for backward.
    private int inputRank;
    private long batchSize;
    private INDArray A;

    public MaxPoolingLayer(MaxPoolingLayerSpec spec, Shape inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.rW = spec.regionSize().width();
        this.rH = spec.regionSize().height();
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        INDArray A = Layouts.spatial(input, inputShape);
        long n = Layouts.batchSize(A);
        long[] shape = Layouts.spatialShape(n, outputShape);
        DataType type = A.dataType();
        INDArray z = Elementwise.copy(offset(buffers, "A", A, 0), buffers.get("z", type, shape));
        INDArray candidate = buffers.get("candidate", type, shape);
        boolean training = mode == Mode.TRAINING;
        for (int o = 1; o < rW * rH; o++) {
            // a contiguous copy of offset o's inputs first: ND4J is slow on strided operands
            Elementwise.copy(offset(buffers, "A", A, o), candidate);
            if (training) {
                // where a_{x+i,y+j} > max so far, the region's first maximum moves to offset o (for (33))
                INDArray raisedHere = raised(buffers, type, shape, o);
                Elementwise.step(Elementwise.subtract(candidate, z, raisedHere), raisedHere);
            }
            Elementwise.max(z, candidate, z);                   // (29) z_{x,y,z} = max_{i,j} a_{x+i,y+j,z}
        }
        if (mode == Mode.TRAINING) {
            this.inputRank = input.rank();
            this.batchSize = n;
            this.A = A;
        }
        return z;                                                         // (29) a = z, no activation
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        INDArray delta = Layouts.spatial(gradOutput, outputShape);        // (31), (32) δ = ∇a C
        DataType type = delta.dataType();
        long[] shape = Layouts.spatialShape(batchSize, outputShape);
        // ∇a C of the input in the input's own layout (a convolution's output is a view of its full rows, and takes
        // this array as its own full rows without a copy); 0 at the positions no region covers (never written)
        INDArray gradA = Layouts.gradientLike(A, "gradA", buffers);
        INDArray unrouted = Elementwise.copy(delta, buffers.get("unrouted", type, shape));
        INDArray routed = buffers.get("routed", type, shape);
        for (int o = rW * rH - 1; o >= 1; o--) {
            // (33) δ goes to offset o where o holds its region's first maximum: o raised the maximum and no later
            // offset did (those took their δ already)
            Elementwise.multiply(raised(buffers, type, shape, o), unrouted, routed);
            Elementwise.subtract(unrouted, routed, unrouted);
            Elementwise.copy(routed, offset(buffers, "gradA", gradA, o));
        }
        Elementwise.copy(unrouted, offset(buffers, "gradA", gradA, 0)); // (33) regions no later offset raised: offset 0
        return Layouts.as(gradA, inputRank, inputShape);
    }

    /** {@code raised[o]}, shaped like the output: 1 where offset o raised its region's maximum, else 0. */
    private static INDArray raised(Buffers buffers, DataType type, long[] shape, int o) {
        return buffers.get("raised " + o, type, shape);
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

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public MaxPoolingLayerSpec spec() {
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
}
