package io.richard.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference gradient checks in float64. For a layer, the scalar probed is L = Σ forward(x) ⊙ G for a
 * fixed random G, so ∂L/∂output = G and backward(G) must return ∂L/∂x and leave ∂L/∂θ in the parameters.
 * Central differences with step h; the check compares every element with a relative-or-absolute tolerance.
 */
public final class GradientCheck {

    public static final double H = 1e-6;
    public static final double TOLERANCE = 1e-6;

    private GradientCheck() {
    }

    /** Checks ∂L/∂x and ∂L/∂θ of {@code layer} at input {@code x} against finite differences. */
    public static void checkLayer(Layer layer, INDArray x, INDArray upstream) {
        assertEquals(DataType.DOUBLE, x.dataType(), "gradient checks run in float64");
        // G in the layout of the layer's output (which depends on its kernels): any G of the right length will do
        INDArray G = upstream.reshape(layer.forward(x, Mode.INFERENCE).shape()).dup();
        layer.forward(x, Mode.TRAINING);
        INDArray gradInput = layer.backward(G, true).dup();
        Supplier<Double> loss = () -> layer.forward(x, Mode.INFERENCE).mul(G).sumNumber().doubleValue();
        compare("input", gradInput.reshape(x.shape()), x, loss);
        for (Parameter p : layer.parameters()) {
            compare(p.name(), p.gradient().dup(), p.value(), loss);
        }
    }

    /**
     * Compares an analytic gradient with central differences of {@code loss} over every element of
     * {@code variable}, which is perturbed in place and restored.
     */
    public static void compare(String what, INDArray analytic, INDArray variable, Supplier<Double> loss) {
        assertEquals(variable.length(), analytic.length(), what + ": gradient has the wrong size");
        INDArray flatVariable = variable.reshape(variable.length());
        INDArray flatAnalytic = analytic.reshape(analytic.length());
        assertTrue(flatVariable.isView() || variable.length() == 0 || flatVariable.data() == variable.data(),
                "perturbations must reach the variable");
        double worst = 0;
        for (long i = 0; i < variable.length(); i++) {
            double original = flatVariable.getDouble(i);
            flatVariable.putScalar(i, original + H);
            double plus = loss.get();
            flatVariable.putScalar(i, original - H);
            double minus = loss.get();
            flatVariable.putScalar(i, original);
            double numeric = (plus - minus) / (2 * H);
            double exact = flatAnalytic.getDouble(i);
            double error = Math.abs(numeric - exact) / Math.max(1.0, Math.abs(numeric) + Math.abs(exact));
            worst = Math.max(worst, error);
            if (error > TOLERANCE) {
                throw new AssertionError(String.format("%s[%d]: backward gives %.10g, finite differences %.10g",
                        what, i, exact, numeric));
            }
        }
        assertTrue(worst <= TOLERANCE);
    }
}
