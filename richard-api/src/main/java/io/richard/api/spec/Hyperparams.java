package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;

/**
 * Training hyper-parameters with the reference's meaning.
 *
 * @param epochs        number of passes; 0 trains nothing and keeps the initial parameters
 * @param batchSize     samples consumed per epoch (the reference's "batch size" is an epoch size: with more
 *                      samples than this, each epoch uses the first {@code batchSize} of them, in data order or
 *                      after shuffling)
 * @param miniBatchSize samples per parameter update; gradients are summed over them, as in the reference
 */
@JsonPropertyOrder({"epochs", "batchSize", "miniBatchSize"})
public record Hyperparams(int epochs, int batchSize, int miniBatchSize) {

    public Hyperparams {
        if (epochs < 0) {
            throw new ConfigException("hyperparams.epochs must be >= 0, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new ConfigException("hyperparams.batchSize (samples per epoch) must be a positive integer, got "
                    + batchSize);
        }
        if (miniBatchSize <= 0) {
            throw new ConfigException("hyperparams.miniBatchSize must be a positive integer, got " + miniBatchSize);
        }
    }

    @JsonCreator
    static Hyperparams fromJson(
            @JsonProperty(value = "epochs", required = true) @JsonPropertyDescription("an integer >= 0") int epochs,
            @JsonProperty(value = "batchSize", required = true)
            @JsonPropertyDescription("a positive integer") int batchSize,
            @JsonProperty(value = "miniBatchSize", required = true)
            @JsonPropertyDescription("a positive integer") int miniBatchSize) {
        return new Hyperparams(epochs, batchSize, miniBatchSize);
    }
}
