package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.richard.api.ConfigException;

/** The reference's {@code dataLoader} section: how many samples are read (and held) per chunk. */
public record DataLoaderSpec(int fetchSize) {

    public DataLoaderSpec {
        if (fetchSize <= 0) {
            throw new ConfigException("dataLoader.fetchSize must be a positive integer, got " + fetchSize);
        }
    }

    @JsonCreator
    static DataLoaderSpec fromJson(
            @JsonProperty(value = "fetchSize", required = true)
            @JsonPropertyDescription("a positive integer") int fetchSize) {
        return new DataLoaderSpec(fetchSize);
    }
}
