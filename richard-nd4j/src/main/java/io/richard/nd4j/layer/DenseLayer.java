package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Activation;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer, equations (1)–(13); with {@code dropoutRate} 0 it is also the output layer of
 * (14)–(17), whose incoming gradient comes from the loss.
 *
 * <p>Batched over the mini-batch: the input A is (N, n_in), one sample per row; {@code W} is (n_out, n_in)
 * exactly as in (1) and {@code b} is (1, n_out). Forward is one gemm {@code Z = A·Wᵀ + b}; backward is
 * {@code ∇W = δᵀ·A} (9), {@code ∇b = Σ_n δ} (10), {@code ∇A = δ·W} (13).
 */
public final class DenseLayer implements Layer {

    private final LayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Activation activation;
    private final Dropout dropout;

    private final INDArray W;
    private final INDArray b;
    private final INDArray gradW;
    private final INDArray gradB;
    private final List<Parameter> parameters;
    private final Buffers.PerMode buffers = new Buffers.PerMode();

    // Kept from the last training-mode forward pass for backward.
    private int inputRank;
    private INDArray aPrev;
    private INDArray a;
    private INDArray dropoutMask;

    /**
     * @param W       weights (n_out, n_in), taken over (not copied)
     * @param b       biases (1, n_out), taken over
     * @param seed    seed of the dropout masks (unused without dropout)
     */
    public DenseLayer(LayerSpec spec, Shape inputShape, Activation activation, INDArray W, INDArray b, long seed) {
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
        this.W = W;
        this.b = b.reshape(1, W.rows());
        this.gradW = Nd4j.zerosLike(W);
        this.gradB = Nd4j.zerosLike(this.b);
        this.parameters = List.of(new Parameter("W", this.W, gradW), new Parameter("b", this.b, gradB));
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        Buffers buffers = this.buffers.of(mode);
        long n = Layouts.batchSize(input);
        INDArray aPrev = input.rank() == 2 ? input
                : Layouts.flatInto(input, inputShape, buffers.get("aPrev", input.dataType(), n, inputShape.size()),
                        buffers);
        INDArray z = buffers.get("z", W.dataType(), n, W.rows());
        Blas.gemm(buffers.ones(W.dataType(), n, 1), false, b, false, z, 1.0, 0.0);   // z = b in every row, then
        Blas.gemm(aPrev, false, W, true, z, 1.0, 1.0);                    // (4) z = W a^{l-1} + b, per row
        INDArray a = activation.applyInPlace(z);                          // (5) a = σ(z); σ' needs only a
        if (mode == Mode.INFERENCE) {
            return a;
        }
        this.inputRank = input.rank();
        this.aPrev = aPrev;
        this.a = a;
        if (!dropout.active()) {
            return a;
        }
        dropoutMask = dropout.mask(buffers.get("mask", a.dataType(), a.shape()));   // inverted dropout
        return buffers.get("dropped", a.dataType(), a.shape()).assign(a).muli(dropoutMask);
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        Buffers buffers = this.buffers.of(Mode.TRAINING);
        INDArray gradA = dropout.active()
                ? buffers.get("gradA", a.dataType(), a.shape()).assign(gradOutput).muli(dropoutMask) : gradOutput;
        INDArray delta = activation.delta(gradA, a, buffers.get("delta", a.dataType(), a.shape())); // (8) δ = ∇a C ⊙ σ'(z)
        Blas.gemm(delta, true, aPrev, false, gradW, 1.0, 0.0);            // (9) ∇W C = δ ⊗ a^{l-1}, summed over N
        Blas.gemm(buffers.ones(W.dataType(), delta.rows(), 1), true, delta, false, gradB, 1.0, 0.0); // (10) ∇b C = δ, summed over N
        if (!inputGradient) {
            return null;
        }
        INDArray gradInput = buffers.get("gradInput", delta.dataType(), delta.rows(), W.columns());
        Blas.gemm(delta, false, W, false, gradInput, 1.0, 0.0);           // (13) ∇a^{l-1} C = Wᵀ δ, per row
        if (inputRank == 2) {
            return gradInput;
        }
        return Layouts.spatialInto(gradInput, inputShape, buffers.get("gradInputSpatial", delta.dataType(),
                Layouts.spatialShape(delta.rows(), inputShape)), buffers);
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
}
