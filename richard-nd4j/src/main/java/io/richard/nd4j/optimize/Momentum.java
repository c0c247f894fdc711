package io.richard.nd4j.optimize;

import java.util.Map;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.spec.OptimizerSpec;
import io.richard.nd4j.kernel.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SGD with momentum, in the form of Sutskever et al. 2013 (section 2) as PyTorch writes it, one velocity v per
 * parameter θ (zeros at the start), g = ∇θ C summed over the mini-batch:
 *
 * <pre>
 * momentum (Polyak 1964, heavy ball):  v ← μ v + g,   θ ← θ − λ v
 * Nesterov (Nesterov 1983):            v ← μ v + g,   θ ← θ − λ (g + μ v)
 * </pre>
 *
 * With μ = 0 both are the seed's (11). The velocities are its state, under {@code velocity/KEY}.
 */
public final class Momentum implements Optimizer {

    private final double mu;
    private final boolean nesterov;
    private final StateArrays velocities = new StateArrays();

    public Momentum(double momentum, boolean nesterov) {
        this(new OptimizerSpec.Momentum(momentum, nesterov));
    }

    public Momentum(OptimizerSpec.Momentum spec) {
        this.mu = spec.momentum();
        this.nesterov = spec.nesterov();
    }

    @Override
    public void update(String key, Parameter p, double learningRate) {
        INDArray g = p.gradient();
        INDArray v = velocities.of("velocity/" + key, p);
        Blas.axpy(1, g, Blas.scale(mu, v));                                   // v ← μ v + g
        if (nesterov) {
            Blas.axpy(-learningRate, g, p.value());                           // θ ← θ − λ g …
            Blas.axpy(-learningRate * mu, v, p.value());                      // … − λ μ v
        } else {
            Blas.axpy(-learningRate, v, p.value());                           // θ ← θ − λ v
        }
    }

    @Override
    public String name() {
        return "momentum";
    }

    @Override
    public Map<String, INDArray> state() {
        return velocities.all();
    }

    @Override
    public void restore(Map<String, INDArray> state) {
        for (String name : state.keySet()) {
            if (!name.startsWith("velocity/")) {
                throw new IllegalArgumentException("momentum keeps velocity/PARAMETER arrays, but the checkpoint holds '"
                        + name + "'");
            }
        }
        velocities.restore(state);
    }
}
