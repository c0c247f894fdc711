package io.richard.api.spec;

import java.util.Map;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * A fully connected hidden layer with the sigmoid activation, equations (1)–(13). Its input is the previous
 * layer's output flattened in the reference's order; its output shape is {@code [size, 1, 1]}.
 *
 * @param size           number of neurons
 * @param learnRate      λ of (11)
 * @param learnRateDecay per-epoch factor on λ (1 = no decay; optional, default 1)
 * @param dropoutRate    probability of dropping a neuron's activation in training (optional, default 0)
 */
@JsonPropertyOrder({"type", "size", "learnRate", "learnRateDecay", "dropoutRate"})
public record DenseLayerSpec(int size, double learnRate, double learnRateDecay, double dropoutRate)
        implements LayerSpec {

    public static final String TYPE = "dense";

    public DenseLayerSpec {
        if (size <= 0) {
            throw new ConfigException("dense layer: size must be a positive integer, got " + size);
        }
        LayerSpec.checkRates(TYPE, learnRate, learnRateDecay, dropoutRate);
    }

    /** A dense layer with no learning-rate decay and no dropout. */
    public DenseLayerSpec(int size, double learnRate) {
        this(size, learnRate, 1.0, 0.0);
    }

    @JsonCreator
    static DenseLayerSpec fromJson(
            @JsonProperty(value = "size", required = true) @JsonPropertyDescription("a positive integer") int size,
            @JsonProperty(value = "learnRate", required = true) @JsonPropertyDescription("a number") double learnRate,
            @JsonProperty("learnRateDecay") @JsonPropertyDescription("a number") Double learnRateDecay,
            @JsonProperty("dropoutRate") @JsonPropertyDescription("a number") Double dropoutRate) {
        return new DenseLayerSpec(size, learnRate, learnRateDecay == null ? 1.0 : learnRateDecay,
                dropoutRate == null ? 0.0 : dropoutRate);
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
        return "dense " + size;
    }

    @Override
    public String activation() {
        return "sigmoid";
    }

    @Override
    public Map<String, String> shapeKeys() {
        return Map.of("size", Integer.toString(size));
    }
}
