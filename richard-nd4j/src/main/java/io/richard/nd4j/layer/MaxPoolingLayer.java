package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Non-overlapping max pooling over M × N regions (here rW × rH), equations (29)–(33).
 *
 * <p>Vectorised over the mini-batch and the positions: for a region offset (i, j), the inputs
 * a<sub>rW·x+i, rH·y+j</sub> of every region of every sample form one strided view of the spatial input
 * (H, N, W, C), shaped like the output. So the max over i, j of (29) is a loop over the rW·rH offsets with one
 * element-wise maximum each, and (33) is the same loop routing δ to the offset that held the maximum. The
 * offsets are visited in scan order (row by row, x ascending) and only the first maximum of a region receives δ,
 * the reference's tie rule.
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
    private INDArray A;
    private INDArray z;

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
        long[] shape = Layouts.spatialShape(Layouts.batchSize(A), outputShape);
        INDArray z = buffers.get("z", A.dataType(), shape).assign(offset(A, 0, 0));
        INDArray candidate = buffers.get("candidate", A.dataType(), shape);
        for (int j = 0; j < rH; j++) {
            for (int i = j == 0 ? 1 : 0; i < rW; i++) {
                // (29) z_{x,y,z} = max_{i,j} a_{x+i,y+j,z}, starting from offset (0, 0); the strided view is copied
                // first, which ND4J does much faster than an element-wise maximum with a strided operand
                Transforms.max(z, candidate.assign(offset(A, i, j)), false);
            }
        }
        if (mode == Mode.TRAINING) {
            this.inputRank = input.rank();
            this.A = A;
            this.z = z;
        }
        return z;                                                         // (29) a = z, no activation
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        DataType type = z.dataType();
        INDArray delta = Layouts.spatial(gradOutput, outputShape);        // (31), (32) δ = ∇a C
        INDArray gradA = buffers.get("gradA", type, A.shape());
        INDArray unrouted = buffers.get("unrouted", type, z.shape()).assign(1.0);
        INDArray mask = buffers.get("mask", type, z.shape());
        for (int j = 0; j < rH; j++) {
            for (int i = 0; i < rW; i++) {
                // the argmax mask of this offset: a ≤ z everywhere, so 1 + sign(a − z) is 1 exactly where a is its
                // region's maximum; keeping only regions not yet routed gives the first maximum in scan order
                Blas.axpy(-1.0, z, mask.assign(offset(A, i, j)));
                Transforms.sign(mask, false).addi(1.0).muli(unrouted);
                Blas.axpy(-1.0, mask, unrouted);
                offset(gradA, i, j).assign(mask.muli(delta));             // (33) δ where a was the max, else 0
            }
        }
        return Layouts.as(gradA, inputRank, inputShape);
    }

    /** The inputs at offset (i, j) of every region: a strided (H', N, W', C) view of the spatial array. */
    private INDArray offset(INDArray spatial, int i, int j) {
        return spatial.get(every(j, rH, outputShape.height()), NDArrayIndex.all(),
                every(i, rW, outputShape.width()), NDArrayIndex.all());
    }

    /** Indices begin, begin + stride, …, {@code count} of them. */
    private static INDArrayIndex every(long begin, long stride, long count) {
        // ND4J 1.0.0-M2.1 rejects a strided interval holding a single index that does not start at 0
        return count == 1 ? NDArrayIndex.interval(begin, begin + 1)
                : NDArrayIndex.interval(begin, stride, begin + (count - 1) * stride + 1);
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
