package io.richard.spark;

import java.io.Serializable;
import java.util.List;
import io.richard.api.Shape;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.Normalization;

/**
 * A model's {@code data} section in a form that travels to the executors: the class labels, the shape of a
 * sample and the normalisation (the description records are not {@code Serializable}).
 */
record DataLayout(List<String> classes, int width, int height, int depth, double min, double max)
        implements Serializable {

    DataLayout {
        classes = List.copyOf(classes);
    }

    static DataLayout of(DataSpec data) {
        Shape shape = data.shape();
        return new DataLayout(data.classes(), shape.width(), shape.height(), shape.depth(),
                data.normalization().min(), data.normalization().max());
    }

    DataSpec spec() {
        return new DataSpec(classes, shape(), new Normalization(min, max));
    }

    Shape shape() {
        return new Shape(width, height, depth);
    }

    /** W·H·D, the values of one sample. */
    int values() {
        return width * height * depth;
    }
}
