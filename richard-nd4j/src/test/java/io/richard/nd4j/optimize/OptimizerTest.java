package io.richard.nd4j.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.spec.OptimizerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each optimiser's update against the same rule computed by hand, in plain Java doubles: a few steps on two
 * parameters with their own gradients and learning rates (the rates change between steps, as a schedule changes
 * them), in float64 and float32; and a one-element case with the numbers written out.
 */
class OptimizerTest {

    private static final int STEPS = 4;
    private static final double[] RATES = {0.1, 0.05, 0.2, 0.01};

    /** The rule for one element, in doubles: state s (velocity, or m and v), step t from 1, rate λ, gradient g. */
    private interface Rule {
        double step(double theta, double g, double rate, int t, double[] s);
    }

    enum Case {
        SGD(OptimizerSpec.SGD, (theta, g, rate, t, s) -> theta - rate * g),
        MOMENTUM(new OptimizerSpec.Momentum(0.9, false), (theta, g, rate, t, s) -> {
            s[0] = 0.9 * s[0] + g;                                   // v ← μ v + g
            return theta - rate * s[0];                              // θ ← θ − λ v
        }),
        NESTEROV(new OptimizerSpec.Momentum(0.8, true), (theta, g, rate, t, s) -> {
            s[0] = 0.8 * s[0] + g;
            return theta - rate * (g + 0.8 * s[0]);                  // θ ← θ − λ (g + μ v)
        }),
        ADAM(new OptimizerSpec.Adam(), (theta, g, rate, t, s) -> adam(theta, g, rate, t, s, 0.9, 0.999, 1e-8, 0)),
        ADAMW(new OptimizerSpec.Adam(0.8, 0.99, 1e-4, 0.3), (theta, g, rate, t, s) -> adam(theta, g, rate, t, s, 0.8,
                0.99, 1e-4, 0.3));

        final OptimizerSpec spec;
        final Rule rule;

        Case(OptimizerSpec spec, Rule rule) {
            this.spec = spec;
            this.rule = rule;
        }
    }

    /** Kingma and Ba's algorithm 1, with AdamW's decoupled decay first (Loshchilov and Hutter's algorithm 2). */
    private static double adam(double theta, double g, double rate, int t, double[] s, double b1, double b2,
            double eps, double decay) {
        s[0] = b1 * s[0] + (1 - b1) * g;
        s[1] = b2 * s[1] + (1 - b2) * g * g;
        double mHat = s[0] / (1 - Math.pow(b1, t));
        double vHat = s[1] / (1 - Math.pow(b2, t));
        return theta - rate * decay * theta - rate * mHat / (Math.sqrt(vHat) + eps);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Case.class)
    void fourStepsOnTwoParametersEqualTheRuleByHand(Case c) {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            Random random = new Random(5);
            double[][] theta = {values(random, 6), values(random, 3)};
            double[][][] state = {new double[6][2], new double[3][2]};
            Parameter[] parameters = {parameter("W", theta[0], type, 2, 3), parameter("b", theta[1], type, 1, 3)};
            String[] keys = {"outputLayer.W", "outputLayer.b"};
            Optimizer optimizer = Optimizers.of(c.spec);
            for (int t = 1; t <= STEPS; t++) {
                optimizer.beginStep();
                for (int k = 0; k < 2; k++) {
                    double[] g = values(random, theta[k].length);
                    parameters[k].gradient().assign(Nd4j.createFromArray(g).reshape(parameters[k].value().shape()));
                    double rate = RATES[t - 1] * (k + 1);                           // per layer, changing per step
                    optimizer.update(keys[k], parameters[k], rate);
                    for (int i = 0; i < g.length; i++) {
                        double gi = type == DataType.FLOAT ? (float) g[i] : g[i];
                        theta[k][i] = c.rule.step(theta[k][i], gi, rate, t, state[k][i]);
                    }
                    double[] got = parameters[k].value().dup().data().asDouble();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(theta[k][i], got[i], type == DataType.DOUBLE ? 1e-13 : 2e-6,
                                c + " " + type + " step " + t + " " + keys[k] + "[" + i + "]");
                    }
                }
            }
        }
    }

    /** One element, the numbers written out. */
    @Test
    void theFirstStepsWithTheNumbersWrittenOut() {
        // SGD: θ = 1 − 0.5 · 0.2 = 0.9
        assertEquals(0.9, oneElement(new Sgd(), 1.0, new double[] {0.2}, 0.5)[0], 1e-15);
        // momentum μ 0.5: v = 0.2, θ = 1 − 0.1 = 0.9; v = 0.5·0.2 + 0.4 = 0.5, θ = 0.9 − 0.25 = 0.65
        double[] momentum = oneElement(new Momentum(0.5, false), 1.0, new double[] {0.2, 0.4}, 0.5);
        assertEquals(0.9, momentum[0], 1e-15);
        assertEquals(0.65, momentum[1], 1e-15);
        // Nesterov μ 0.5: v = 0.2, θ = 1 − 0.5 (0.2 + 0.1) = 0.85; v = 0.5, θ = 0.85 − 0.5 (0.4 + 0.25) = 0.525
        double[] nesterov = oneElement(new Momentum(0.5, true), 1.0, new double[] {0.2, 0.4}, 0.5);
        assertEquals(0.85, nesterov[0], 1e-15);
        assertEquals(0.525, nesterov[1], 1e-15);
        // Adam: at t = 1, m̂ = g and v̂ = g², so θ moves by λ g / (|g| + ε) ≈ λ sign(g): 1 − 0.5 · 0.2 / (0.2 + 1e-8)
        double[] adam = oneElement(new Adam(), 1.0, new double[] {0.2, -0.4}, 0.5);
        assertEquals(1 - 0.5 * 0.2 / (0.2 + 1e-8), adam[0], 1e-15);
        // t = 2: m = 0.9·0.02 + 0.1·(−0.4) = −0.022, v = 0.999·4e-5 + 0.001·0.16 = 1.9996e-4
        double m = -0.022;
        double v = 1.9996e-4;
        assertEquals(adam[0] - 0.5 * (m / 0.19) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8), adam[1], 1e-15);
        // AdamW, decay 0.1: θ = 1 − 0.5·0.1·1 − 0.5 · 0.2 / (0.2 + 1e-8)
        double[] adamW = oneElement(new Adam(new OptimizerSpec.Adam(0.9, 0.999, 1e-8, 0.1)), 1.0,
                new double[] {0.2}, 0.5);
        assertEquals(1 - 0.05 - 0.5 * 0.2 / (0.2 + 1e-8), adamW[0], 1e-15);
    }

    /** The state belongs to a parameter by its key: another key starts from zero, the same key goes on. */
    @Test
    void stateIsKeptPerParameterKey() {
        Momentum momentum = new Momentum(0.5, false);
        Parameter a = parameter("W", new double[] {0}, DataType.DOUBLE, 1, 1);
        a.gradient().assign(1);
        momentum.update("hiddenLayers[0].W", a, 1);                             // v = 1, θ = −1
        momentum.update("outputLayer.W", a, 1);                                 // its own v = 1: θ = −2
        momentum.update("hiddenLayers[0].W", a, 1);                             // v = 1.5: θ = −3.5
        assertEquals(-3.5, a.value().getDouble(0), 0);
        assertEquals(Map.of("velocity/hiddenLayers[0].W", 1.5, "velocity/outputLayer.W", 1.0),
                Map.of("velocity/hiddenLayers[0].W", momentum.state().get("velocity/hiddenLayers[0].W").getDouble(0),
                        "velocity/outputLayer.W", momentum.state().get("velocity/outputLayer.W").getDouble(0)));
        Parameter wider = parameter("W", new double[] {0, 0}, DataType.DOUBLE, 1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> momentum.update("outputLayer.W", wider, 1));
        assertTrue(e.getMessage().startsWith("the optimiser state velocity/outputLayer.W is DOUBLE [1, 1], but the"
                + " parameter is DOUBLE [1, 2]"), e.getMessage());
    }

    /** A restored state continues exactly where the state was taken; an empty one is the start. */
    @Test
    void aRestoredStateContinuesExactly() {
        Adam first = new Adam();
        Parameter p = parameter("b", new double[] {0.3, -0.2}, DataType.DOUBLE, 1, 2);
        for (int t = 0; t < 3; t++) {
            first.beginStep();
            p.gradient().assign(Nd4j.createFromArray(0.1 * t, -0.3).reshape(1, 2));
            first.update("outputLayer.b", p, 0.01);
        }
        Map<String, INDArray> state = first.state();
        assertEquals(List.of("step", "m/outputLayer.b", "v/outputLayer.b"), List.copyOf(state.keySet()));
        Adam second = new Adam();
        second.restore(state);
        assertEquals(3, second.steps());
        INDArray theta = p.value().dup();
        Parameter q = new Parameter("b", theta, p.gradient().dup());
        first.beginStep();
        second.beginStep();
        first.update("outputLayer.b", p, 0.01);
        second.update("outputLayer.b", q, 0.01);
        assertEquals(p.value(), q.value());
        second.restore(Map.of());
        assertEquals(0, second.steps());
        assertTrue(second.state().keySet().equals(java.util.Set.of("step")));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new Adam().restore(Map.of("velocity/outputLayer.b", Nd4j.zeros(1, 2))));
        assertEquals("an Adam state holds its step count t under 'step', but the checkpoint holds"
                + " [velocity/outputLayer.b]", bad.getMessage());
        IllegalArgumentException sgd = assertThrows(IllegalArgumentException.class,
                () -> new Sgd().restore(Map.of("step", Nd4j.zeros(1))));
        assertEquals("sgd keeps no state, but the checkpoint holds [step]", sgd.getMessage());
    }

    /**
     * The step counts a checkpoint may hold are the whole numbers from 0 (the state of an Adam that has not stepped
     * yet) to 2⁵³ (the largest up to which a double holds every whole number); the next step after a restore is
     * t + 1, with its own bias correction.
     */
    @Test
    void restoreTakesEveryWholeStepCountFromZeroTo2To53() {
        Adam fresh = new Adam();
        Map<String, INDArray> before = fresh.state();
        assertEquals(0.0, before.get("step").getDouble(0), 0);
        Adam restored = new Adam();
        for (int t = 0; t < 2; t++) {
            restored.beginStep();
            restored.update("outputLayer.W", parameter("W", new double[] {0.5}, DataType.DOUBLE, 1, 1), 0.5);
        }
        restored.restore(before);
        assertEquals(0, restored.steps());
        // t = 1 again, moments from zero: m̂ = g, v̂ = g², θ = 1 − 0.5 · 0.2 / (0.2 + 1e-8)
        assertEquals(1 - 0.5 * 0.2 / (0.2 + 1e-8), oneElement(restored, 1.0, new double[] {0.2}, 0.5)[0], 1e-15);

        Adam late = new Adam();
        late.restore(Map.of("step", Nd4j.createFromArray(0x1p53)));
        assertEquals(1L << 53, late.steps());
        // t = 2⁵³ + 1: β^t is 0 in doubles, no bias correction left; m = 0.1 g, v = 0.001 g² from zero moments
        assertEquals(1 - 0.5 * (0.1 * 0.2) / (Math.sqrt(0.001 * 0.2 * 0.2) + 1e-8),
                oneElement(late, 1.0, new double[] {0.2}, 0.5)[0], 1e-14);

        for (double bad : new double[] {-1, 0.5, 0x1p53 + 2, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Adam().restore(Map.of("step", Nd4j.createFromArray(bad))));
            assertEquals("Adam's step count must be a whole number >= 0, got " + bad, e.getMessage());
        }
    }

    private static double[] oneElement(Optimizer optimizer, double start, double[] gradients, double rate) {
        Parameter p = parameter("W", new double[] {start}, DataType.DOUBLE, 1, 1);
        double[] after = new double[gradients.length];
        for (int t = 0; t < gradients.length; t++) {
            optimizer.beginStep();
            p.gradient().assign(gradients[t]);
            optimizer.update("outputLayer.W", p, rate);
            after[t] = p.value().getDouble(0);
        }
        return after;
    }

    private static Parameter parameter(String name, double[] values, DataType type, long rows, long columns) {
        INDArray value = Nd4j.createFromArray(values).castTo(type).reshape(rows, columns).dup('c');
        if (type == DataType.FLOAT) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) values[i];
            }
        }
        return new Parameter(name, value, Nd4j.zerosLike(value));
    }

    private static double[] values(Random random, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }
}
