package io.richard.api.spec;

import java.util.Map;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * The description of one layer, with the reference's config keys. The {@code type} key selects the kind:
 * {@code dense}, {@code convolutional}, {@code maxPooling}; the network's last layer is an {@code output} layer.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = DenseLayerSpec.class, name = DenseLayerSpec.TYPE),
    @JsonSubTypes.Type(value = ConvolutionalLayerSpec.class, name = ConvolutionalLayerSpec.TYPE),
    @JsonSubTypes.Type(value = MaxPoolingLayerSpec.class, name = MaxPoolingLayerSpec.TYPE),
    @JsonSubTypes.Type(value = OutputLayerSpec.class, name = OutputLayerSpec.TYPE)
})
public sealed interface LayerSpec
        permits DenseLayerSpec, ConvolutionalLayerSpec, MaxPoolingLayerSpec, OutputLayerSpec {

    /** The reference's {@code type} value: {@code dense}, {@code convolutional}, {@code maxPooling} or {@code output}. */
    String type();

    /**
     * The shape this layer produces from an input of the given shape.
     *
     * @throws ConfigException if the layer cannot take that input (a kernel larger than the input, a pooling
     *                         region that does not divide it); the message gives the numbers
     */
    Shape outputShape(Shape input);

    /** Number of trainable scalars for the given input shape. */
    long parameterCount(Shape input);

    /** The layer in a few words, for summaries and messages: "dense 320", "conv 32@3×3", "maxpool 2×2", "output 10". */
    String describe();

    /** The activation the layer applies: "sigmoid", "relu", or "" for none (pooling). */
    String activation();

    /**
     * The keys that set the shapes of the layer's parameters (besides its input), with their values as a config
     * writes them, e.g. {@code {depth=32, kernelSize=[3, 3]}}: two layers of one type whose keys agree have
     * parameters of the same shapes on the same input. In the order a config lists them.
     */
    Map<String, String> shapeKeys();

    /** Initial learning rate λ; 0 for layers without parameters. */
    default double learnRate() {
        return 0;
    }

    /** Factor applied to the learning rate once per epoch: λ_e = λ · decay^e. */
    default double learnRateDecay() {
        return 1;
    }

    /** Probability of dropping each activation during training; 0 for none. */
    default double dropoutRate() {
        return 0;
    }

    /** The learning rate in epoch {@code epoch} (0-based): λ · decay^epoch, as the reference. */
    default double learnRate(int epoch) {
        return learnRate() * Math.pow(learnRateDecay(), epoch);
    }

    /** Checks the training rates shared by dense, convolutional and output layers. */
    static void checkRates(String type, double learnRate, double learnRateDecay, double dropoutRate) {
        if (!(learnRate >= 0) || Double.isInfinite(learnRate)) {
            throw new ConfigException(type + " layer: learnRate must be a finite number >= 0, got " + learnRate);
        }
        if (!(learnRateDecay > 0) || Double.isInfinite(learnRateDecay)) {
            throw new ConfigException(type + " layer: learnRateDecay must be a finite number > 0 (1 means no decay), got "
                    + learnRateDecay);
        }
        if (!(dropoutRate >= 0 && dropoutRate < 1)) {
            throw new ConfigException(type + " layer: dropoutRate must be in [0, 1), got " + dropoutRate);
        }
    }
}
