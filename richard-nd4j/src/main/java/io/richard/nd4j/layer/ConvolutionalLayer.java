package io.richard.nd4j.layer;

import java.util.Arrays;
import java.util.List;
import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.nd4j.activation.Relu;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.kernel.LinearKernel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolutional layer, equations (21)–(28): D kernels of kW × kH × C, valid cross-correlation, stride 1, one
 * bias per kernel, ReLU.
 *
 * <p>Parameters as the seed writes them: {@code W} is (D, C, kH, kW), so {@code W[d][k][j][i]} is
 * w<sub>i,j,k</sub><sup>l,d</sup> of (24), and {@code b} is (1, D). The sums run in a {@link LinearKernel} of the
 * network's {@link Kernels}: {@link Kernels#plain()} spells them out as a loop over the kernel offsets.
 */
public final class ConvolutionalLayer implements Layer {

    private final ConvolutionalLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation = Relu.INSTANCE;
    private final Dropout dropout;
    private final Kernels kernels;
    private final LinearKernel correlation;

    private final INDArray W;
    private final INDArray b;
    private final INDArray gradW;
    private final INDArray gradB;
    private final List<Parameter> parameters;

    /**
     * @param W       kernels (D, C, kH, kW), taken over (not copied)
     * @param b       biases, D values, taken over
     * @param seed    seed of the dropout masks (unused without dropout)
     * @param kernels the implementation of the sums
     */
    public ConvolutionalLayer(ConvolutionalLayerSpec spec, Shape inputShape, INDArray W, INDArray b, long seed,
            Kernels kernels) {
        long[] expected = {spec.depth(), inputShape.depth(), spec.kernelSize().height(), spec.kernelSize().width()};
        if (!Arrays.equals(W.shape(), expected)) {
            throw new IllegalArgumentException("convolutional W must be (D, C, kH, kW) = " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(W.shape()));
        }
        if (b.length() != spec.depth()) {
            throw new IllegalArgumentException("convolutional b must have " + spec.depth() + " values, got "
                    + b.length());
        }
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.dropout = new Dropout(spec.dropoutRate(), seed);
        this.kernels = kernels;
        this.correlation = kernels.correlation(inputShape, spec.kernelSize(), spec.depth());
        this.W = W;
        this.b = b.reshape(1, spec.depth());
        this.gradW = Nd4j.zerosLike(W);
        this.gradB = Nd4j.zerosLike(this.b);
        this.parameters = List.of(new Parameter("W", this.W, gradW), new Parameter("b", this.b, gradB));
    }

    /** A layer on the backend's default kernels ({@link Kernels#forBackend()}). */
    public ConvolutionalLayer(ConvolutionalLayerSpec spec, Shape inputShape, INDArray W, INDArray b, long seed) {
        this(spec, inputShape, W, b, seed, Kernels.forBackend());
    }

    @Override
    public INDArray forward(INDArray aPrev, Mode mode) {
        // (24) z^{l,d}_{x,y} = Σ_i Σ_j Σ_k w^{l,d}_{i,j,k} a^{l−1}_{x+i,y+j,k} + b^{l,d}: Z^{l,d} = A^{l−1} ⋆ W^{l,d} + b^{l,d}
        INDArray z = correlation.weightedSums(aPrev, W, b, mode);
        INDArray a = correlation.activate(activation, z, mode);            // (25) a = R(z), (23) R(z) = max(0, z)
        return dropout.apply(a, mode);
    }

    @Override
    public INDArray backward(INDArray gradA, boolean inputGradient) {
        INDArray delta = correlation.delta(activation, dropout.gate(gradA));   // (26) δ = ∂C/∂a ⊙ R'(z)
        correlation.weightGradient(delta, gradW);         // (28) ∇W^{l,d}_k C = A^{l−1}_k ⋆ δ^{l,d}, Σ over the mini-batch
        correlation.biasGradient(delta, gradB);           // ∂C/∂b^{l,d} = Σ_{x,y} δ^{l,d}_{x,y}, Σ over the mini-batch
        return inputGradient
                ? correlation.inputGradient(delta, W)     // (27) ∇A^{l−1}_k C = Σ_d W^{l,d}_k * δ^{l,d}
                : null;
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

    /** The implementation of the sums this layer runs on. */
    public Kernels implementation() {
        return kernels;
    }
}
