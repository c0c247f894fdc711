package io.richard.api.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Quote;
import io.richard.api.Shape;

/**
 * The reference's {@code data} section: the class labels in output-neuron order, the input shape
 * {@code [W, H, D]} and the normalisation.
 */
@JsonPropertyOrder({"classes", "shape", "normalization"})
public record DataSpec(List<String> classes, Shape shape, Normalization normalization) {

    public DataSpec {
        if (classes == null || classes.isEmpty()) {
            throw new ConfigException("data.classes must list at least one class label");
        }
        classes = List.copyOf(classes);
        Set<String> seen = new HashSet<>();
        for (String label : classes) {
            if (!seen.add(label)) {
                throw new ConfigException("data.classes lists " + Quote.single(label) + " twice; labels must be unique");
            }
        }
        if (shape == null) {
            throw new ConfigException("data.shape [W, H, D] is required");
        }
        if (normalization == null) {
            throw new ConfigException("data.normalization {min, max} is required");
        }
    }

    @JsonCreator
    static DataSpec fromJson(
            @JsonProperty(value = "classes", required = true)
            @JsonPropertyDescription("a list of class labels, e.g. [\"cat\", \"dog\"]") List<String> classes,
            @JsonProperty(value = "shape", required = true)
            @JsonPropertyDescription("an array of 3 positive integers [W, H, D]") Shape shape,
            @JsonProperty(value = "normalization", required = true) Normalization normalization) {
        return new DataSpec(classes, shape, normalization);
    }
}
