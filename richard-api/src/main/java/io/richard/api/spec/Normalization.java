package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.richard.api.ConfigException;

/**
 * The reference's global input scaling: every raw value x becomes (x − min) / (max − min).
 */
public record Normalization(double min, double max) {

    public Normalization {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new ConfigException("data.normalization: min and max must be finite numbers, got min " + min
                    + ", max " + max);
        }
        if (min == max) {
            throw new ConfigException("data.normalization: min and max are both " + min
                    + "; they must differ (values are scaled by 1 / (max - min))");
        }
    }

    @JsonCreator
    static Normalization fromJson(@JsonProperty(value = "min", required = true) double min,
                                  @JsonProperty(value = "max", required = true) double max) {
        return new Normalization(min, max);
    }

    /** (x − min) / (max − min) for one value. */
    public double apply(double x) {
        return (x - min) / (max - min);
    }
}
