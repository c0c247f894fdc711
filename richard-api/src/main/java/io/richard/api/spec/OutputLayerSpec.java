package io.richard.api.spec;

import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * The final layer: dense, with the sigmoid activation and trained with the quadratic cost, equations (14)–(17), as
 * in the reference; or, beyond it, with the softmax activation and the cross-entropy cost, or the sigmoid with the
 * cross-entropy cost (binary cross-entropy per output). Its size must equal the number of classes. It never uses
 * dropout.
 *
 * @param size           number of output neurons, one per class
 * @param learnRate      λ of (11)
 * @param learnRateDecay per-epoch factor on λ (1 = no decay; optional, default 1)
 * @param activation     {@code sigmoid} (the reference's, the default) or {@code softmax}
 * @param cost           {@code quadratic} (the reference's (15), the default) or {@code crossEntropy}
 */
@JsonPropertyOrder({"type", "size", "learnRate", "learnRateDecay", "activation", "cost"})
public record OutputLayerSpec(int size, double learnRate, double learnRateDecay,
                              @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Sigmoid.class)
                              String activation,
                              @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Quadratic.class)
                              String cost) implements LayerSpec {

    public static final String TYPE = "output";
    /** The activations an output layer may apply. */
    public static final String SIGMOID = "sigmoid";
    public static final String SOFTMAX = "softmax";
    /** The costs it may be trained with. */
    public static final String QUADRATIC = "quadratic";
    public static final String CROSS_ENTROPY = "crossEntropy";

    public OutputLayerSpec {
        if (size <= 0) {
            throw new ConfigException("output layer: size must be a positive integer, got " + size);
        }
        LayerSpec.checkRates(TYPE, learnRate, learnRateDecay, 0);
        activation = activation == null ? SIGMOID : activation;
        cost = cost == null ? QUADRATIC : cost;
        if (!List.of(SIGMOID, SOFTMAX).contains(activation)) {
            throw new ConfigException("output layer: activation must be sigmoid or softmax, got '" + activation + "'");
        }
        if (!List.of(QUADRATIC, CROSS_ENTROPY).contains(cost)) {
            throw new ConfigException("output layer: cost must be quadratic or crossEntropy, got '" + cost + "'");
        }
        if (activation.equals(SOFTMAX) && cost.equals(QUADRATIC)) {
            throw new ConfigException("output layer: activation softmax with cost quadratic is not offered: softmax"
                    + " outputs are probabilities that sum to 1, which the cross-entropy cost measures (cost:"
                    + " crossEntropy); the quadratic cost goes with the sigmoid, as in the reference");
        }
        if (activation.equals(SOFTMAX) && size == 1) {
            throw new ConfigException("output layer: activation softmax over a single output is always 1; use"
                    + " sigmoid");
        }
    }

    /** An output layer with no learning-rate decay: the reference's sigmoid and quadratic cost. */
    public OutputLayerSpec(int size, double learnRate) {
        this(size, learnRate, 1.0);
    }

    /** The reference's output layer: sigmoid, quadratic cost. */
    public OutputLayerSpec(int size, double learnRate, double learnRateDecay) {
        this(size, learnRate, learnRateDecay, SIGMOID, QUADRATIC);
    }

    /** An output layer with no learning-rate decay and the given activation and cost. */
    public OutputLayerSpec(int size, double learnRate, String activation, String cost) {
        this(size, learnRate, 1.0, activation, cost);
    }

    @JsonCreator
    static OutputLayerSpec fromJson(
            @JsonProperty(value = "size", required = true) @JsonPropertyDescription("a positive integer") int size,
            @JsonProperty(value = "learnRate", required = true) @JsonPropertyDescription("a number") double learnRate,
            @JsonProperty("learnRateDecay") @JsonPropertyDescription("a number") Double learnRateDecay,
            @JsonProperty("activation") @JsonPropertyDescription("sigmoid or softmax") String activation,
            @JsonProperty("cost") @JsonPropertyDescription("quadratic or crossEntropy") String cost) {
        return new OutputLayerSpec(size, learnRate, learnRateDecay == null ? 1.0 : learnRateDecay, activation, cost);
    }

    @Override
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public String type() {
        return TYPE;
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.flat(size);
    }

    @Override
    public long parameterCount(Shape input) {
        return (long) size * input.size() + size;
    }

    @Override
    public String describe() {
        return "output " + size;
    }

    /** {@code sigmoid} or {@code softmax}. */
    @Override
    public String activation() {
        return activation;
    }

    @Override
    public Map<String, String> shapeKeys() {
        return Map.of("size", Integer.toString(size));
    }

    /** Jackson's filter for {@code activation}: the default, sigmoid, is not written (so the reference's stays). */
    static final class Sigmoid {
        @Override
        public boolean equals(Object value) {
            return SIGMOID.equals(value);
        }

        @Override
        public int hashCode() {
            return SIGMOID.hashCode();
        }
    }

    /** Jackson's filter for {@code cost}: the default, quadratic, is not written. */
    static final class Quadratic {
        @Override
        public boolean equals(Object value) {
            return QUADRATIC.equals(value);
        }

        @Override
        public int hashCode() {
            return QUADRATIC.hashCode();
        }
    }
}
