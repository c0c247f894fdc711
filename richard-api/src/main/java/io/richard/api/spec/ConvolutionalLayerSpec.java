package io.richard.api.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * A convolutional layer with the ReLU activation, equations (21)–(28): {@code depth} kernels of
 * {@code kernelSize} = [kW, kH] spanning all input channels, valid cross-correlation, stride 1, one bias per
 * kernel. Output {@code [W − kW + 1, H − kH + 1, depth]}.
 */
@JsonPropertyOrder({"type", "depth", "kernelSize", "learnRate", "learnRateDecay", "dropoutRate"})
public record ConvolutionalLayerSpec(int depth, Size2D kernelSize, double learnRate, double learnRateDecay,
                                     double dropoutRate) implements LayerSpec {

    public static final String TYPE = "convolutional";

    public ConvolutionalLayerSpec {
        if (depth <= 0) {
            throw new ConfigException("convolutional layer: depth must be a positive integer, got " + depth);
        }
        if (kernelSize == null) {
            throw new ConfigException("convolutional layer: kernelSize [kW, kH] is required");
        }
        LayerSpec.checkRates(TYPE, learnRate, learnRateDecay, dropoutRate);
    }

    /** A convolutional layer of {@code depth} kernels of kW × kH, no decay, no dropout. */
    public ConvolutionalLayerSpec(int depth, int kernelWidth, int kernelHeight, double learnRate) {
        this(depth, new Size2D(kernelWidth, kernelHeight), learnRate, 1.0, 0.0);
    }

    @JsonCreator
    static ConvolutionalLayerSpec fromJson(
            @JsonProperty(value = "depth", required = true) @JsonPropertyDescription("a positive integer") int depth,
            @JsonProperty(value = "kernelSize", required = true)
            @JsonPropertyDescription("an array of 2 positive integers [W, H]") Size2D kernelSize,
            @JsonProperty(value = "learnRate", required = true) @JsonPropertyDescription("a number") double learnRate,
            @JsonProperty("learnRateDecay") @JsonPropertyDescription("a number") Double learnRateDecay,
            @JsonProperty("dropoutRate") @JsonPropertyDescription("a number") Double dropoutRate) {
        return new ConvolutionalLayerSpec(depth, kernelSize, learnRate, learnRateDecay == null ? 1.0 : learnRateDecay,
                dropoutRate == null ? 0.0 : dropoutRate);
    }

    @Override
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public String type() {
        return TYPE;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (kernelSize.width() > input.width() || kernelSize.height() > input.height()) {
            throw new ConfigException("convolutional layer: kernel " + kernelSize + " is larger than its input "
                    + input.width() + "×" + input.height() + " (input shape " + input + ")");
        }
        return new Shape(input.width() - kernelSize.width() + 1, input.height() - kernelSize.height() + 1, depth);
    }

    @Override
    public long parameterCount(Shape input) {
        return (long) depth * input.depth() * kernelSize.width() * kernelSize.height() + depth;
    }

    @Override
    public String describe() {
        return "conv " + depth + "@" + kernelSize;
    }

    @Override
    public String activation() {
        return "relu";
    }

    @Override
    public Map<String, String> shapeKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("depth", Integer.toString(depth));
        keys.put("kernelSize", kernelSize.asConfigValue());
        return keys;
    }
}
