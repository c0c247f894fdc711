package io.richard.nd4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import io.richard.nd4j.Network;

/**
 * A network read from a file, with what the file says about it.
 *
 * @param network       the network with the stored parameters, ready to predict or to train further
 * @param metadata      the archive's string metadata (creation time, epochs trained, seed, final cost, …); empty
 *                      for a reference network file, which has none
 * @param formatVersion the archive's format version; 0 for a reference network file
 */
public record SavedModel(Network network, Map<String, String> metadata, int formatVersion) {

    public SavedModel {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
