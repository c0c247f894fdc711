package io.richard.nd4j.optimize;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import io.richard.api.Parameter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An optimiser's arrays per parameter, by name ({@code velocity/hiddenLayers[0].W}): made as zeros the first time a
 * parameter is updated, restored from a checkpoint, and checked against the parameter's shape and data type
 * when they are used.
 */
final class StateArrays {

    private final Map<String, INDArray> arrays = new LinkedHashMap<>();

    /** The array {@code name} for parameter {@code p}: zeros of its shape the first time. */
    INDArray of(String name, Parameter p) {
        INDArray array = arrays.get(name);
        if (array == null) {
            array = Nd4j.zerosLike(p.value());
            arrays.put(name, array);
        } else if (!Arrays.equals(array.shape(), p.value().shape()) || array.dataType() != p.value().dataType()) {
            throw new IllegalStateException("the optimiser state " + name + " is " + array.dataType() + " "
                    + Arrays.toString(array.shape()) + ", but the parameter is " + p.value().dataType() + " "
                    + Arrays.toString(p.value().shape()) + "; the state belongs to another network");
        }
        return array;
    }

    /** Every array, in the order they were made (the parameters' order), not copied. */
    Map<String, INDArray> all() {
        return Collections.unmodifiableMap(arrays);
    }

    /** Replaces every array with copies of {@code state}'s (C order, as the parameters are). */
    void restore(Map<String, INDArray> state) {
        arrays.clear();
        state.forEach((name, array) -> arrays.put(name, array.dup('c')));
    }
}
