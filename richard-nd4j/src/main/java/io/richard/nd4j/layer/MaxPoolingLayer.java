package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.kernel.PoolingKernel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-overlapping max pooling over M × N regions (here rW × rH), equations (29)–(33): no parameters, no
 * activation. The maxima and the argmax mask run in a {@link PoolingKernel} of the network's {@link Kernels}; the
 * first maximum of a region in scan order (row by row, x ascending) takes its δ, the reference's tie rule.
 */
public final class MaxPoolingLayer implements Layer {

    private final MaxPoolingLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Kernels kernels;
    private final PoolingKernel pooling;

    public MaxPoolingLayer(MaxPoolingLayerSpec spec, Shape inputShape, Kernels kernels) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.kernels = kernels;
        this.pooling = kernels.pooling(inputShape, spec.regionSize());
    }

    /** A layer on the backend's default kernels ({@link Kernels#forBackend()}). */
    public MaxPoolingLayer(MaxPoolingLayerSpec spec, Shape inputShape) {
        this(spec, inputShape, Kernels.forBackend());
    }

    @Override
    public INDArray forward(INDArray aPrev, Mode mode) {
        return pooling.max(aPrev, mode);       // (29) z_{x,y,z} = max_{i,j} a^{l−1}_{x+i,y+j,z}, and a = z: no activation
    }

    @Override
    public INDArray backward(INDArray gradA, boolean inputGradient) {
        INDArray delta = gradA;                // (31), (32) δ = ∇a C, as a = z
        return inputGradient
                ? pooling.route(delta)         // (33) ∂C/∂a^{l−1} = δ where a^{l−1} was its region's maximum, else 0
                : null;
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

    /** The implementation of the maxima this layer runs on. */
    public Kernels implementation() {
        return kernels;
    }
}
