package io.richard.api.spec;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import io.richard.api.Shape;

/**
 * The layer table of a model, worked out from its description alone: every layer's output shape {@code [W, H, D]},
 * activation and parameter count, and the total. Nothing is allocated, so a layer of a million units costs no
 * more than one of ten; counts are exact whatever the sizes (the total of several layers near the largest sizes
 * exceeds a {@code long}).
 */
public final class LayerTable {

    private static final String ROW = "%-4s %-15s %-16s %-9s %12s%n";

    private LayerTable() {
    }

    /** The table, ending with the total and the loss, e.g. {@code total parameters: 136,266; loss: quadratic}. */
    public static String of(ModelSpec model, String loss) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, ROW, "#", "layer", "output [W,H,D]", "act.", "parameters"));
        s.append(String.format(Locale.ROOT, ROW, "", "input", model.inputShape(), "", ""));
        List<LayerSpec> layers = model.network().layers();
        Shape input = model.inputShape();
        BigInteger total = BigInteger.ZERO;
        for (int l = 0; l < layers.size(); l++) {
            LayerSpec layer = layers.get(l);
            Shape output = layer.outputShape(input);
            long parameters = layer.parameterCount(input);
            total = total.add(BigInteger.valueOf(parameters));
            s.append(String.format(Locale.ROOT, ROW, l, layer.describe(), output, layer.activation(),
                    String.format(Locale.ROOT, "%,d", parameters)));
            input = output;
        }
        s.append(String.format(Locale.ROOT, "total parameters: %,d; loss: %s%n", total, loss));
        return s.toString();
    }
}
