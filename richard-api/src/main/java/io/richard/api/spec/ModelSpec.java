package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;
import io.richard.api.Shape;

/**
 * A whole model description with the reference config's structure: {@code data}, {@code dataLoader} and
 * {@code classifier.network}. A reference JSON config maps onto it key for key. It is what a model archive
 * stores beside the parameters, and it is validated as a whole: the network must accept {@code data.shape}
 * and have one output per class.
 */
@JsonPropertyOrder({"data", "dataLoader", "classifier"})
public record ModelSpec(DataSpec data, DataLoaderSpec dataLoader, ClassifierSpec classifier) {

    public ModelSpec {
        if (data == null) {
            throw new ConfigException("data is required");
        }
        if (dataLoader == null) {
            throw new ConfigException("dataLoader is required");
        }
        if (classifier == null) {
            throw new ConfigException("classifier is required");
        }
        classifier.network().validate(data.shape(), data.classes().size());
    }

    @JsonCreator
    static ModelSpec fromJson(@JsonProperty(value = "data", required = true) DataSpec data,
                              @JsonProperty(value = "dataLoader", required = true) DataLoaderSpec dataLoader,
                              @JsonProperty(value = "classifier", required = true) ClassifierSpec classifier) {
        return new ModelSpec(data, dataLoader, classifier);
    }

    /** A model description for a network built in code. */
    public static ModelSpec of(java.util.List<String> classes, Shape shape, Normalization normalization,
                               NetworkSpec network) {
        return new ModelSpec(new DataSpec(classes, shape, normalization), new DataLoaderSpec(1024),
                new ClassifierSpec(network));
    }

    public NetworkSpec network() {
        return classifier.network();
    }

    public Shape inputShape() {
        return data.shape();
    }

    public java.util.List<String> classes() {
        return data.classes();
    }

    public ModelSpec withNetwork(NetworkSpec network) {
        return new ModelSpec(data, dataLoader, new ClassifierSpec(network));
    }
}
