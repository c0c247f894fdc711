package io.richard.api.spec;

import java.util.Map;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * Non-overlapping max pooling over {@code regionSize} = [rW, rH] windows, per channel, equations (29)–(33).
 * The region must divide the input exactly. Output {@code [W / rW, H / rH, D]}. No parameters.
 */
@JsonPropertyOrder({"type", "regionSize"})
public record MaxPoolingLayerSpec(Size2D regionSize) implements LayerSpec {

    public static final String TYPE = "maxPooling";

    public MaxPoolingLayerSpec {
        if (regionSize == null) {
            throw new ConfigException("maxPooling layer: regionSize [rW, rH] is required");
        }
    }

    public MaxPoolingLayerSpec(int regionWidth, int regionHeight) {
        this(new Size2D(regionWidth, regionHeight));
    }

    @JsonCreator
    static MaxPoolingLayerSpec fromJson(
            @JsonProperty(value = "regionSize", required = true)
            @JsonPropertyDescription("an array of 2 positive integers [W, H]") Size2D regionSize) {
        return new MaxPoolingLayerSpec(regionSize);
    }

    @Override
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public String type() {
        return TYPE;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.width() % regionSize.width() != 0) {
            throw new ConfigException("maxPooling layer: region width " + regionSize.width()
                    + " does not divide input width " + input.width() + " (input shape " + input + ")");
        }
        if (input.height() % regionSize.height() != 0) {
            throw new ConfigException("maxPooling layer: region height " + regionSize.height()
                    + " does not divide input height " + input.height() + " (input shape " + input + ")");
        }
        return new Shape(input.width() / regionSize.width(), input.height() / regionSize.height(), input.depth());
    }

    @Override
    public long parameterCount(Shape input) {
        return 0;
    }

    @Override
    public String describe() {
        return "maxpool " + regionSize;
    }

    @Override
    public String activation() {
        return "";
    }

    @Override
    public Map<String, String> shapeKeys() {
        return Map.of("regionSize", regionSize.asConfigValue());
    }
}
