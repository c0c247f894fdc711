package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.kernel.LinearKernel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer, equations (1)–(13); with {@code dropoutRate} 0 it is also the output layer of
 * (14)–(17), whose incoming gradient comes from the loss.
 *
 * <p>Batched over the mini-batch: the input A is (N, n_in), one sample per row; {@code W} is (n_out, n_in)
 * exactly as in (1) and {@code b} is (1, n_out). The products run in a {@link LinearKernel} of the network's
 * {@link Kernels}.
 */
public final class DenseLayer implements Layer {

    private final LayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation;
    private final Dropout dropout;
    private final Kernels kernels;
    private final LinearKernel products;

    private final INDArray W;
    private final INDArray b;
    private final INDArray gradW;
    private final INDArray gradB;
    private final List<Parameter> parameters;

    /**
     * @param W       weights (n_out, n_in), taken over (not copied)
     * @param b       biases (1, n_out), taken over
     * @param seed    seed of the dropout masks (unused without dropout)
     * @param kernels the implementation of the products
     */
    public DenseLayer(LayerSpec spec, Shape inputShape, Activation activation, INDArray W, INDArray b, long seed,
            Kernels kernels) {
        if (W.rank() != 2 || W.columns() != inputShape.size()) {
            throw new IllegalArgumentException("dense W must be (n_out, " + inputShape.size() + "), got "
                    + java.util.Arrays.toString(W.shape()));
        }
        if (b.length() != W.rows()) {
            throw new IllegalArgumentException("dense b must have " + W.rows() + " values, got " + b.length());
        }
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = Shape.flat(W.rows());
        this.activation = activation;
        this.dropout = new Dropout(spec.dropoutRate(), seed);
        this.kernels = kernels;
        this.products = kernels.dense(inputShape, (int) W.rows());
        this.W = W;
        this.b = b.reshape(1, W.rows());
        this.gradW = Nd4j.zerosLike(W);
        this.gradB = Nd4j.zerosLike(this.b);
        this.parameters = List.of(new Parameter("W", this.W, gradW), new Parameter("b", this.b, gradB));
    }

    /** A layer on the backend's default kernels ({@link Kernels#forBackend()}). */
    public DenseLayer(LayerSpec spec, Shape inputShape, Activation activation, INDArray W, INDArray b, long seed) {
        this(spec, inputShape, activation, W, b, seed, Kernels.forBackend());
    }

    @Override
    public INDArray forward(INDArray aPrev, Mode mode) {
        INDArray z = products.weightedSums(aPrev, W, b, mode);            // (4) z = W a^{l−1} + b
        INDArray a = products.activate(activation, z, mode);              // (5) a = σ(z) (an output layer: or softmax)
        return dropout.apply(a, mode);
    }

    @Override
    public INDArray backward(INDArray gradA, boolean inputGradient) {
        // (8) δ = ∇a C ⊙ σ'(z); an output layer whose cost is fused with its activation (loss.OutputCost) is given
        // δ^L = a − y itself as gradA, and its activation passes it on unchanged
        INDArray delta = products.delta(activation, dropout.gate(gradA));
        products.weightGradient(delta, gradW);                            // (9) ∇W C = δ ⊗ a^{l−1}, Σ over the mini-batch
        products.biasGradient(delta, gradB);                              // (10) ∇b C = δ, Σ over the mini-batch
        return inputGradient
                ? products.inputGradient(delta, W)                        // (13) ∇a^{l−1} C = Wᵀ δ
                : null;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public LayerSpec spec() {
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

    public Activation activation() {
        return activation;
    }

    /** The weights W, (n_out, n_in); column j is input j in the reference's flattening order. */
    public INDArray weights() {
        return W;
    }

    /** The biases b, (1, n_out). */
    public INDArray biases() {
        return b;
    }

    /** The implementation of the products this layer runs on. */
    public Kernels implementation() {
        return kernels;
    }
}
