package io.richard.nd4j.io;

import java.nio.file.Path;
import java.util.Map;

/** Loads a network from either kind of model file, telling them apart by their first bytes. */
public final class Models {

    private Models() {
    }

    /**
     * Loads a {@link ModelArchive} (a file starting with {@code PK\003\004}) or, otherwise, a
     * {@link ReferenceNetworkFile} of the C++ Richard, which is returned with empty metadata and format version 0.
     *
     * @throws io.richard.api.ModelFormatException naming the file and the problem when it cannot be loaded
     */
    public static SavedModel load(Path file) {
        ModelArchive.checkReadable(file);
        if (ModelArchive.isArchive(file)) {
            return ModelArchive.load(file);
        }
        return new SavedModel(ReferenceNetworkFile.load(file), Map.of(), 0);
    }
}
