package io.richard.api.spec;

import java.util.Map;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * The final layer: dense with the sigmoid activation, trained with the quadratic cost, equations (14)–(17).
 * Its size must equal the number of classes. It never uses dropout.
 *
 * @param size           number of output neurons, one per class
 * @param learnRate      λ of (11)
 * @param learnRateDecay per-epoch factor on λ (1 = no decay; optional, default 1)
 */
@JsonPropertyOrder({"type", "size", "learnRate", "learnRateDecay"})
public record OutputLayerSpec(int size, double learnRate, double learnRateDecay) implements LayerSpec {

    public static final String TYPE = "output";

    public OutputLayerSpec {
        if (size <= 0) {
            throw new ConfigException("output layer: size must be a positive integer, got " + size);
        }
        LayerSpec.checkRates(TYPE, learnRate, learnRateDecay, 0);
    }

    /** An output layer with no learning-rate decay. */
    public OutputLayerSpec(int size, double learnRate) {
        this(size, learnRate, 1.0);
    }

    @JsonCreator
    static OutputLayerSpec fromJson(
            @JsonProperty(value = "size", required = true) @JsonPropertyDescription("a positive integer") int size,
            @JsonProperty(value = "learnRate", required = true) @JsonPropertyDescription("a number") double learnRate,
            @JsonProperty("learnRateDecay") @JsonPropertyDescription("a number") Double learnRateDecay) {
        return new OutputLayerSpec(size, learnRate, learnRateDecay == null ? 1.0 : learnRateDecay);
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

    @Override
    public String activation() {
        return "sigmoid";
    }

    @Override
    public Map<String, String> shapeKeys() {
        return Map.of("size", Integer.toString(size));
    }
}
