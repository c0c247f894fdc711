package io.richard.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An optimiser's state ({@link io.richard.api.Optimizer#state()}: momentum's velocities, Adam's moments and step
 * count; nothing for SGD) in a form that travels with the parameters, as plain arrays.
 *
 * <p>Between rounds it is averaged like the parameters (Deeplearning4j's "average updaters"): every array by the
 * samples each partition trained on, except one-element arrays, which are counters (Adam's step t) and take the
 * largest partition's count. With one partition it is carried over unchanged, so a run is the single-machine one.
 *
 * @param names  the state's names, in order
 * @param shapes each array's shape
 * @param values each array's values in C order, as doubles (a step count must stay exact)
 */
record OptimizerState(List<String> names, List<long[]> shapes, List<double[]> values) implements Serializable {

    static final OptimizerState EMPTY = new OptimizerState(List.of(), List.of(), List.of());

    static OptimizerState of(Map<String, INDArray> state) {
        List<String> names = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        state.forEach((name, array) -> {
            names.add(name);
            shapes.add(array.shape());
            INDArray copy = array.castTo(DataType.DOUBLE).dup('c');
            double[] data = new double[(int) copy.length()];
            copy.data().asNioDouble().get(data);
            values.add(data);
        });
        return new OptimizerState(List.copyOf(names), List.copyOf(shapes), List.copyOf(values));
    }

    /** The state as the optimiser takes it back, its arrays of {@code type} (counters stay float64). */
    Map<String, INDArray> toMap(DataType type) {
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            INDArray array = Nd4j.create(values.get(i), shapes.get(i), 'c');
            state.put(names.get(i), values.get(i).length == 1 ? array : array.castTo(type));
        }
        return state;
    }

    /** The parts' states averaged with the given weights (summing to 1), in the parts' order. */
    static OptimizerState average(List<OptimizerState> parts, double[] weights) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        OptimizerState first = parts.get(0);
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < first.names().size(); i++) {
            double[] sum = new double[first.values().get(i).length];
            boolean counter = sum.length == 1;
            for (int p = 0; p < parts.size(); p++) {
                OptimizerState part = parts.get(p);
                if (!part.names().equals(first.names())) {
                    throw new IllegalStateException("partitions' optimiser states differ: " + first.names() + " and "
                            + part.names());
                }
                double[] v = part.values().get(i);
                for (int j = 0; j < sum.length; j++) {
                    sum[j] = counter ? (p == 0 ? v[j] : Math.max(sum[j], v[j])) : sum[j] + weights[p] * v[j];
                }
            }
            values.add(sum);
        }
        return new OptimizerState(first.names(), first.shapes(), values);
    }
}
