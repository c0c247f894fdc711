package io.richard.api.spec;

import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * A network as the reference's {@code classifier.network} describes it: hyper-parameters, hidden layers in
 * order, and the output layer; and, beyond the reference, how its parameters are updated ({@code optimizer},
 * default the reference's SGD, which a description then leaves out) and a learning-rate {@code schedule} on top of
 * the layers' own rates (none by default: {@code null}).
 */
@JsonPropertyOrder({"hyperparams", "optimizer", "schedule", "hiddenLayers", "outputLayer"})
public record NetworkSpec(Hyperparams hyperparams,
                          @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OptimizerSpec.Sgd.class)
                          OptimizerSpec optimizer,
                          @JsonInclude(JsonInclude.Include.NON_NULL)
                          ScheduleSpec schedule,
                          List<LayerSpec> hiddenLayers, OutputLayerSpec outputLayer) {

    public NetworkSpec {
        if (hyperparams == null) {
            throw new ConfigException("network: hyperparams is required");
        }
        if (outputLayer == null) {
            throw new ConfigException("network: outputLayer is required");
        }
        optimizer = optimizer == null ? OptimizerSpec.SGD : optimizer;
        hiddenLayers = hiddenLayers == null ? List.of() : List.copyOf(hiddenLayers);
        for (int i = 0; i < hiddenLayers.size(); i++) {
            if (hiddenLayers.get(i) instanceof OutputLayerSpec) {
                throw new ConfigException("hiddenLayers[" + i + "]: type 'output' is only allowed as outputLayer;"
                        + " expected dense, convolutional or maxPooling");
            }
        }
    }

    /** A network trained with the reference's SGD, without a schedule. */
    public NetworkSpec(Hyperparams hyperparams, List<LayerSpec> hiddenLayers, OutputLayerSpec outputLayer) {
        this(hyperparams, OptimizerSpec.SGD, null, hiddenLayers, outputLayer);
    }

    /** A network trained with {@code optimizer}, without a schedule. */
    public NetworkSpec(Hyperparams hyperparams, OptimizerSpec optimizer, List<LayerSpec> hiddenLayers,
                       OutputLayerSpec outputLayer) {
        this(hyperparams, optimizer, null, hiddenLayers, outputLayer);
    }

    @JsonCreator
    static NetworkSpec fromJson(@JsonProperty(value = "hyperparams", required = true) Hyperparams hyperparams,
                                @JsonProperty("optimizer") OptimizerSpec optimizer,
                                @JsonProperty("schedule") ScheduleSpec schedule,
                                @JsonProperty("hiddenLayers") List<LayerSpec> hiddenLayers,
                                @JsonProperty(value = "outputLayer", required = true) OutputLayerSpec outputLayer) {
        return new NetworkSpec(hyperparams, optimizer, schedule, hiddenLayers, outputLayer);
    }

    /**
     * The learning rate of {@code layer} in epoch {@code epoch} (0-based) of a run of {@code epochs}: its own,
     * λ · decay^epoch as in the reference, times the schedule's factor when there is a schedule.
     */
    public double learnRate(LayerSpec layer, int epoch, int epochs) {
        double rate = layer.learnRate(epoch);
        return schedule == null ? rate : rate * schedule.factor(epoch, epochs);
    }

    /** All layers in order: the hidden layers, then the output layer. */
    public List<LayerSpec> layers() {
        List<LayerSpec> all = new ArrayList<>(hiddenLayers);
        all.add(outputLayer);
        return List.copyOf(all);
    }

    /** Where layer {@code index} of {@link #layers()} sits in a config, e.g. {@code hiddenLayers[2]}. */
    public String path(int index) {
        return index < hiddenLayers.size() ? "hiddenLayers[" + index + "]" : "outputLayer";
    }

    /**
     * Infers the output shape of every layer of {@link #layers()} for the given input shape.
     *
     * @throws ConfigException naming the layer and the numbers when a layer cannot take its input
     */
    public List<Shape> shapes(Shape input) {
        List<Shape> shapes = new ArrayList<>();
        Shape current = input;
        List<LayerSpec> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            try {
                current = layers.get(i).outputShape(current);
            } catch (ConfigException e) {
                throw new ConfigException(path(i) + ": " + e.getMessage(), e);
            }
            shapes.add(current);
        }
        return List.copyOf(shapes);
    }

    /**
     * Rejects a network that cannot be built or cannot classify {@code classes} classes, before any training.
     *
     * @throws ConfigException naming the layer and the numbers
     */
    public void validate(Shape input, int classes) {
        shapes(input);
        if (outputLayer.size() != classes) {
            throw new ConfigException("outputLayer: size is " + outputLayer.size() + " but there are " + classes
                    + " classes; the output layer needs one neuron per class");
        }
    }

    /** Total number of trainable scalars for the given input shape. */
    public long parameterCount(Shape input) {
        long count = 0;
        Shape current = input;
        for (LayerSpec layer : layers()) {
            count += layer.parameterCount(current);
            current = layer.outputShape(current);
        }
        return count;
    }

    /** The same layers with other hyper-parameters. */
    public NetworkSpec withHyperparams(Hyperparams newHyperparams) {
        return new NetworkSpec(newHyperparams, optimizer, schedule, hiddenLayers, outputLayer);
    }

    /** The same network trained with another optimiser. */
    public NetworkSpec withOptimizer(OptimizerSpec newOptimizer) {
        return new NetworkSpec(hyperparams, newOptimizer, schedule, hiddenLayers, outputLayer);
    }

    /** The same network with another learning-rate schedule ({@code null}: none). */
    public NetworkSpec withSchedule(ScheduleSpec newSchedule) {
        return new NetworkSpec(hyperparams, optimizer, newSchedule, hiddenLayers, outputLayer);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a network description in code, layer by layer. */
    public static final class Builder {
        private Hyperparams hyperparams = new Hyperparams(1, Integer.MAX_VALUE, 16);
        private OptimizerSpec optimizer = OptimizerSpec.SGD;
        private ScheduleSpec schedule;
        private final List<LayerSpec> hidden = new ArrayList<>();

        private Builder() {
        }

        public Builder hyperparams(int epochs, int batchSize, int miniBatchSize) {
            this.hyperparams = new Hyperparams(epochs, batchSize, miniBatchSize);
            return this;
        }

        public Builder hyperparams(Hyperparams value) {
            this.hyperparams = value;
            return this;
        }

        /** How the parameters are updated (default: the reference's SGD). */
        public Builder optimizer(OptimizerSpec value) {
            this.optimizer = value;
            return this;
        }

        /** A learning-rate schedule on top of the layers' rates (default: none). */
        public Builder schedule(ScheduleSpec value) {
            this.schedule = value;
            return this;
        }

        /** Adds any hidden layer. */
        public Builder layer(LayerSpec layer) {
            hidden.add(layer);
            return this;
        }

        /** Adds a sigmoid dense layer. */
        public Builder dense(int size, double learnRate) {
            return layer(new DenseLayerSpec(size, learnRate));
        }

        /** Adds a ReLU convolutional layer of {@code depth} kernels of kW × kH. */
        public Builder convolutional(int depth, int kernelWidth, int kernelHeight, double learnRate) {
            return layer(new ConvolutionalLayerSpec(depth, kernelWidth, kernelHeight, learnRate));
        }

        /** Adds a max-pooling layer over rW × rH regions. */
        public Builder maxPooling(int regionWidth, int regionHeight) {
            return layer(new MaxPoolingLayerSpec(regionWidth, regionHeight));
        }

        /** Adds the output layer and builds. */
        public NetworkSpec output(int size, double learnRate) {
            return output(new OutputLayerSpec(size, learnRate));
        }

        public NetworkSpec output(OutputLayerSpec outputLayer) {
            return new NetworkSpec(hyperparams, optimizer, schedule, hidden, outputLayer);
        }
    }
}
