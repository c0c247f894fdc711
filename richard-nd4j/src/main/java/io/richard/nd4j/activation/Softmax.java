package io.richard.nd4j.activation;

import io.richard.api.Activation;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax over each row (each sample's outputs), not in the seed: a_i = e^{z_i} / Σ_j e^{z_j}, computed as
 * e^{z_i − max_j z_j} / Σ_j e^{z_j − max_j z_j}, which is the same number and never overflows. Its derivative is a
 * Jacobian, ∂a_j/∂z_i = a_j (δ_ij − a_i), so a layer delta is δ_i = Σ_j ∇a_j C · ∂a_j/∂z_i
 * = a_i (∇a_i C − Σ_j ∇a_j C · a_j), δ = a ⊙ (∇a C − ⟨∇a C, a⟩) per sample ({@link #delta}). An output layer trained with the cross-entropy cost does
 * not come here: that cost gives δ = a − y directly (the fused form, {@code io.richard.nd4j.loss.CrossEntropyLoss}).
 */
public final class Softmax implements Activation {

    public static final Softmax INSTANCE = new Softmax();

    private Softmax() {
    }

    /** Softmax: a = e^{z − max z} / Σ e^{z − max z}, row by row, in place. */
    @Override
    public INDArray applyInPlace(INDArray z) {
        z.subiColumnVector(z.max(true, 1));                          // z − max_j z_j: every exponent ≤ 0
        Elementwise.exp(z, z);
        return z.diviColumnVector(z.sum(true, 1));                   // / Σ_j e^{z_j − max}
    }

    /** Not element-wise: the softmax's derivative is the Jacobian a_i (δ_ij − a_j), which {@link #delta} applies. */
    @Override
    public INDArray derivative(INDArray a) {
        throw new UnsupportedOperationException("the softmax's derivative is a Jacobian, not an element-wise f'(z);"
                + " its delta applies it");
    }

    /** Softmax's Jacobian product: δ = a ⊙ (∇a C − Σ_j ∇a_j C · a_j), row by row. */
    @Override
    public INDArray delta(INDArray gradA, INDArray a, INDArray out) {
        Elementwise.multiply(gradA, a, out);
        INDArray inner = out.sum(true, 1);                           // ⟨∇a C, a⟩ per sample
        Elementwise.copy(gradA, out);
        out.subiColumnVector(inner);                                 // ∇a C − ⟨∇a C, a⟩
        return Elementwise.multiply(out, a, out);                    // a ⊙ (…)
    }

    @Override
    public String name() {
        return "softmax";
    }
}
