package io.richard.nd4j.loss;

import io.richard.api.Activation;
import io.richard.api.Loss;
import io.richard.nd4j.kernel.Blas;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The cross-entropy cost, not in the seed, in its two forms, both with the fused output delta δ^L = a − y:
 *
 * <pre>
 * categorical, for softmax outputs:  C = −Σ_k y_k ln a_k                            ∇a C = −y / a
 * binary, for sigmoid outputs:       C = −Σ_k [y_k ln a_k + (1 − y_k) ln(1 − a_k)]    ∇a C = (a − y) / (a (1 − a))
 * </pre>
 *
 * With a = softmax(z) and one-hot y (Σ_k y_k = 1), ∂C/∂z_i = Σ_k (−y_k / a_k) a_k (δ_ki − a_i) = a_i − y_i; with a
 * = σ(z), ∂C/∂z_k = (a_k − y_k) / (a_k (1 − a_k)) · a_k (1 − a_k) = a_k − y_k. Back-propagation starts from that δ^L
 * ({@link #deltaAndCost}), which stays finite where ∇a C divides by an output that rounded to 0 or 1. The cost
 * itself takes ln of the outputs, each at least the smallest normal number of their type (in float32 ln 1.2e-38 =
 * −87.3), so a confidently wrong output costs at most 87.3 (float32) instead of infinity.
 */
public final class CrossEntropyLoss implements Loss {

    /** −Σ y ln a, for softmax outputs. */
    public static final CrossEntropyLoss CATEGORICAL = new CrossEntropyLoss(false);
    /** −Σ [y ln a + (1 − y) ln(1 − a)], for sigmoid outputs (one yes/no probability per output). */
    public static final CrossEntropyLoss BINARY = new CrossEntropyLoss(true);

    private final boolean binary;

    private CrossEntropyLoss(boolean binary) {
        this.binary = binary;
    }

    /** The cost of each sample, a vector of length N. */
    @Override
    public INDArray cost(INDArray a, INDArray y) {
        double tiny = tiny(a);
        INDArray terms = y.mul(Transforms.log(Transforms.max(a, tiny, true), false));          // y ln a
        if (binary) {
            terms.addi(y.rsub(1.0).muli(Transforms.log(Transforms.max(a.rsub(1.0), tiny, false), false)));
        }
        return terms.sum(1).negi();
    }

    /** ∇a C: −y / a (categorical) or (a − y) / (a (1 − a)) (binary); infinite where an output rounded to 0 or 1. */
    @Override
    public INDArray gradient(INDArray a, INDArray y) {
        if (binary) {
            return a.sub(y).divi(a.rsub(1.0).muli(a));                       // (a − y) / (a (1 − a))
        }
        return y.neg().divi(a);                                             // −y / a
    }

    @Override
    public double totalCost(INDArray a, INDArray y) {
        INDArray terms = a.ulike();
        return -terms(a, y, terms);
    }

    /** The fused δ^L = a − y and the summed cost (the output gradient this class gives back-propagation). */
    @Override
    public double deltaAndCost(INDArray a, INDArray y, INDArray out) {
        double cost = -terms(a, y, out);
        Elementwise.subtract(a, y, out);                                     // δ^L = a − y
        return cost;
    }

    /** Softmax with the categorical form, the sigmoid with the binary one. */
    @Override
    public boolean fusesWith(Activation f) {
        return f.name().equals(binary ? "sigmoid" : "softmax");
    }

    @Override
    public String name() {
        return "crossEntropy";
    }

    /** The activation whose outputs this form of the cost measures. */
    public String activation() {
        return binary ? "sigmoid" : "softmax";
    }

    /**
     * Writes y ln a (+ (1 − y) ln(1 − a) for the binary form) into {@code work}, element by element, and returns its
     * sum over the batch: −C.
     */
    private double terms(INDArray a, INDArray y, INDArray work) {
        double tiny = tiny(a);
        INDArray logA = Elementwise.log(Elementwise.atLeast(a, tiny, work), work);                // ln max(a, tiny)
        double sum = Blas.dot(y, logA);                                                            // Σ y ln a
        if (binary) {
            INDArray oneMinusA = a.rsub(1.0);
            INDArray logOneMinusA = Elementwise.log(Elementwise.atLeast(oneMinusA, tiny, oneMinusA),
                    oneMinusA);                                                                    // ln (1 − a)
            sum += Blas.dot(y.rsub(1.0), logOneMinusA);                                            // Σ (1 − y) ln(1 − a)
        }
        return sum;
    }

    /** The smallest normal number of the outputs' type: the least value whose logarithm is taken. */
    private static double tiny(INDArray a) {
        return a.dataType() == DataType.DOUBLE ? Double.MIN_NORMAL : Float.MIN_NORMAL;
    }
}
