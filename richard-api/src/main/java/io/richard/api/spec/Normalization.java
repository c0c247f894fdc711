package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.richard.api.ConfigException;

/**
 * The reference's global input scaling: every raw value x becomes (x − min) / (max − min).
 *
 * <p>Samples are 32-bit floats, so min, max and their difference must be finite float32 numbers (and the difference
 * at least the smallest normal one): a range that overflows, such as min −1.7e308 and max 1.7e308, would scale
 * every input to 0.
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
        double range = Math.abs(max - min);
        if (Math.abs(min) > Float.MAX_VALUE || Math.abs(max) > Float.MAX_VALUE || !(range <= Float.MAX_VALUE)
                || range < Float.MIN_NORMAL) {
            double difference = max - min;
            throw new ConfigException("data.normalization: min " + min + " and max " + max + " give a range max - min "
                    + (Double.isFinite(difference) ? "of " + Math.abs(difference) : "that is not finite (it overflows)")
                    + "; inputs are 32-bit floats scaled by 1 / (max - min), so min and max must lie within ±3.4E38 and"
                    + " differ by 1.2E-38 to 3.4E38 (otherwise every input becomes 0, infinite or NaN)");
        }
    }

    @JsonCreator
    static Normalization fromJson(
            @JsonProperty(value = "min", required = true) @JsonPropertyDescription("a number") double min,
            @JsonProperty(value = "max", required = true) @JsonPropertyDescription("a number") double max) {
        return new Normalization(min, max);
    }

    /** (x − min) / (max − min) for one value. */
    public double apply(double x) {
        return (x - min) / (max - min);
    }
}
