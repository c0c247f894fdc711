package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.richard.api.ConfigException;

/** The reference's {@code classifier} section, which holds the network. */
public record ClassifierSpec(NetworkSpec network) {

    public ClassifierSpec {
        if (network == null) {
            throw new ConfigException("classifier.network is required");
        }
    }

    @JsonCreator
    static ClassifierSpec fromJson(@JsonProperty(value = "network", required = true) NetworkSpec network) {
        return new ClassifierSpec(network);
    }
}
