package io.richard.api.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first way two model descriptions differ in what their parameters are: the input shape, a layer's type, or
 * a key that sets the shape of a layer's parameters ({@code size}, {@code depth}, {@code kernelSize},
 * {@code regionSize}). Two descriptions without such a difference have parameters of the same shapes, layer by
 * layer, so one's parameters can start the other's training. Learning rates, their decay, dropout rates,
 * hyper-parameters, class labels, normalization and fetch size are not compared.
 *
 * @param layer the index of the layer in {@link NetworkSpec#layers()}, or -1 for the input shape
 * @param path  where the key sits in the first description, e.g. {@code classifier.network.hiddenLayers[1].size}
 * @param key   the key, e.g. {@code size}
 * @param value the first description's value, as a config writes it (e.g. {@code 64}, {@code [5, 5]})
 * @param other the second description's value
 */
public record LayerDifference(int layer, String path, String key, String value, String other) {

    /** The first difference between {@code first} and {@code second}, in the order input shape, layer 0, 1, … */
    public static Optional<LayerDifference> between(ModelSpec first, ModelSpec second) {
        if (!first.inputShape().equals(second.inputShape())) {
            return Optional.of(new LayerDifference(-1, "data.shape", "shape", first.inputShape().toString(),
                    second.inputShape().toString()));
        }
        NetworkSpec a = first.network();
        NetworkSpec b = second.network();
        List<LayerSpec> as = a.layers();
        List<LayerSpec> bs = b.layers();
        for (int l = 0; l < Math.min(as.size(), bs.size()); l++) {
            String path = "classifier.network." + a.path(l);
            LayerSpec x = as.get(l);
            LayerSpec y = bs.get(l);
            if (!x.type().equals(y.type())) {
                return Optional.of(new LayerDifference(l, path + ".type", "type", x.type(), y.type()));
            }
            for (Map.Entry<String, String> key : x.shapeKeys().entrySet()) {
                String otherValue = y.shapeKeys().get(key.getKey());
                if (!key.getValue().equals(otherValue)) {
                    return Optional.of(new LayerDifference(l, path + "." + key.getKey(), key.getKey(), key.getValue(),
                            otherValue));
                }
            }
        }
        return Optional.empty();    // both end with their output layer, so equal types mean equal layer counts
    }

    /** e.g. "layer 1 (hiddenLayers[1]) size" or "the input shape". */
    public String where() {
        if (layer < 0) {
            return "the input shape data.shape";
        }
        String inNetwork = path.substring("classifier.network.".length(), path.length() - key.length() - 1);
        return "layer " + layer + " (" + inNetwork + ") " + key;
    }
}
