package io.richard.nd4j.kernel;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import io.richard.api.Mode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays a layer reuses from one mini-batch to the next instead of allocating new ones: fresh native memory is
 * expensive (measured here: allocating a 3 MB array costs more than the gemm that fills it), while the arrays a
 * layer needs have the same few shapes batch after batch.
 *
 * <p>An array is identified by a name and a shape. A new array starts at zero; a reused one holds whatever was
 * last written to it — stale values, or NaN after a diverged step — so a layer writes every element it reads in
 * each pass (zero padding rows included) and relies on nothing left from an earlier one. Training
 * passes use the layer's own set; inference passes use one set per thread, so that inference stays safe to call
 * from several threads at once.
 */
final class Buffers {

    private final Map<String, INDArray> arrays = new HashMap<>();
    private final Map<String, INDArray> ones = new HashMap<>();
    private final Map<String, View> views = new HashMap<>();

    private record View(INDArray base, INDArray view) {
    }

    /** The array called {@code name} of this shape and type, allocated (zeroed) on first use. */
    INDArray get(String name, DataType type, long... shape) {
        String key = name + type + Arrays.toString(shape);
        return arrays.computeIfAbsent(key, k -> Nd4j.create(type, shape));
    }

    /**
     * The view of {@code base} that {@code make} returns, remembered under {@code name} for as long as {@code base}
     * is the same array: an ND4J view is native memory that costs about 25 µs to make, and the layers take the
     * same views of the same reused arrays in every mini-batch.
     */
    INDArray view(String name, INDArray base, UnaryOperator<INDArray> make) {
        View view = views.get(name);
        if (view == null || view.base() != base) {
            view = new View(base, make.apply(base));
            views.put(name, view);
        }
        return view.view();
    }

    /** A column or row of ones of this shape and type, allocated on first use; never to be written. */
    INDArray ones(DataType type, long... shape) {
        String key = type + Arrays.toString(shape);
        return ones.computeIfAbsent(key, k -> Nd4j.ones(type, shape));
    }

    /**
     * Sets every element of every reused array (not the ones) to {@code value}: what a buffer may hold when a pass
     * starts, for tests that check that no pass reads what an earlier one left.
     */
    void fill(double value) {
        arrays.values().forEach(array -> array.assign(value));
    }

    /** A layer's two buffer sets: one for training, one per thread for inference. */
    static final class PerMode {
        private final Buffers training = new Buffers();
        private final ThreadLocal<Buffers> inference = ThreadLocal.withInitial(Buffers::new);

        Buffers of(Mode mode) {
            return mode.isTraining() ? training : inference.get();
        }

        /** {@link Buffers#fill} on the training set and on this thread's inference set. */
        void fill(double value) {
            training.fill(value);
            inference.get().fill(value);
        }
    }
}
