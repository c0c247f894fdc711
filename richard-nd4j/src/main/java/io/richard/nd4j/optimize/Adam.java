package io.richard.nd4j.optimize;

import java.util.LinkedHashMap;
import java.util.Map;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.spec.OptimizerSpec;
import io.richard.nd4j.kernel.Blas;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba 2015, algorithm 1), for each parameter θ with g = ∇θ C summed over the mini-batch, at step
 * t = 1, 2, …, with moments m and v (zeros at the start):
 *
 * <pre>
 * m ← β1 m + (1 − β1) g                       first moment
 * v ← β2 v + (1 − β2) g ⊙ g                   second moment
 * m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)     bias correction
 * θ ← θ − λ m̂ / (√v̂ + ε)
 * </pre>
 *
 * computed as PyTorch does, θ ← θ − (λ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε), which is the same expression.
 * With a weight decay w &gt; 0 it is AdamW (Loshchilov and Hutter 2019, algorithm 2, decoupled weight decay): before
 * the step, θ ← θ − λ w θ, scaled by the learning rate as PyTorch's AdamW scales it. The state is m and v under
 * {@code m/KEY} and {@code v/KEY}, and t under {@code step}.
 */
public final class Adam implements Optimizer {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final StateArrays moments = new StateArrays();
    private final Map<String, INDArray> work = new LinkedHashMap<>();
    private long t;

    /** Adam with Kingma and Ba's defaults: β1 0.9, β2 0.999, ε 1e-8, no weight decay. */
    public Adam() {
        this(new OptimizerSpec.Adam());
    }

    public Adam(OptimizerSpec.Adam spec) {
        this.beta1 = spec.beta1();
        this.beta2 = spec.beta2();
        this.epsilon = spec.epsilon();
        this.weightDecay = spec.weightDecay();
    }

    @Override
    public void beginStep() {
        t++;
    }

    @Override
    public void update(String key, Parameter p, double learningRate) {
        if (t == 0) {
            throw new IllegalStateException("Adam.update before the first beginStep()");
        }
        INDArray theta = p.value();
        INDArray g = p.gradient();
        INDArray m = moments.of("m/" + key, p);
        INDArray v = moments.of("v/" + key, p);
        INDArray s = work.computeIfAbsent(key, k -> Nd4j.zerosLike(theta));
        double correction1 = 1 - Math.pow(beta1, t);                          // 1 − β1^t
        double correction2 = 1 - Math.pow(beta2, t);                          // 1 − β2^t
        Blas.axpy(1 - beta1, g, Blas.scale(beta1, m));                        // m ← β1 m + (1 − β1) g
        Elementwise.multiply(g, g, s);
        Blas.axpy(1 - beta2, s, Blas.scale(beta2, v));                        // v ← β2 v + (1 − β2) g ⊙ g
        Elementwise.sqrt(v, s);
        Blas.scale(1 / Math.sqrt(correction2), s);                            // √v̂ = √v / √(1 − β2^t)
        Elementwise.addConstant(s, epsilon, s);                               // √v̂ + ε
        Elementwise.divide(m, s, s);                                          // m / (√v̂ + ε)
        if (weightDecay > 0) {
            Blas.scale(1 - learningRate * weightDecay, theta);                // AdamW: θ ← θ − λ w θ
        }
        Blas.axpy(-learningRate / correction1, s, theta);                     // θ ← θ − λ m̂ / (√v̂ + ε)
    }

    @Override
    public String name() {
        return "adam";
    }

    /** The steps taken so far, t. */
    public long steps() {
        return t;
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put("step", Nd4j.createFromArray((double) t));
        state.putAll(moments.all());
        return state;
    }

    /** Takes back a {@link #state()}; an empty state is the start (t = 0, no moments). */
    @Override
    public void restore(Map<String, INDArray> state) {
        if (state.isEmpty()) {
            moments.restore(state);
            t = 0;
            return;
        }
        INDArray step = state.get("step");
        if (step == null || step.length() != 1 || !step.dataType().isFPType()) {
            throw new IllegalArgumentException("an Adam state holds its step count t under 'step', but the checkpoint"
                    + " holds " + state.keySet());
        }
        double count = step.getDouble(0);
        if (!(count >= 0) || count != Math.rint(count) || count > 1L << 53) {
            throw new IllegalArgumentException("Adam's step count must be a whole number >= 0, got " + count);
        }
        Map<String, INDArray> arrays = new LinkedHashMap<>(state);
        arrays.remove("step");
        for (String name : arrays.keySet()) {
            if (!name.startsWith("m/") && !name.startsWith("v/")) {
                throw new IllegalArgumentException("Adam keeps m/PARAMETER and v/PARAMETER arrays and its step, but"
                        + " the checkpoint holds '" + name + "'");
            }
        }
        moments.restore(arrays);
        t = (long) count;
    }
}
