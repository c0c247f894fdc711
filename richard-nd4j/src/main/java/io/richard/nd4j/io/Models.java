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
        if (ModelArchive.head(file, 1).length == 0) {
            throw new io.richard.api.ModelFormatException(file + " is empty; expected a model file (a Richard model"
                    + " archive or a network file of the C++ Richard)");
        }
        if (ModelArchive.isArchive(file)) {
            return ModelArchive.load(file);
        }
        try {
            return new SavedModel(ReferenceNetworkFile.load(file), Map.of(), 0);
        } catch (io.richard.api.ModelFormatException e) {
            String foreign = file + " is not a Richard network file: ";
            if (e.getMessage() != null && e.getMessage().startsWith(foreign)) {
                throw new io.richard.api.ModelFormatException(file + " is neither a Richard model archive (a ZIP file,"
                        + " starting with PK) nor a network file of the C++ Richard: "
                        + e.getMessage().substring(foreign.length()), e);
            }
            throw e;
        }
    }
}
