package io.richard.nd4j;

import java.util.List;
import java.util.Locale;
import io.richard.api.ConfigException;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.layer.LayerKinds;
import io.richard.nd4j.optimize.Optimizers;
import org.bytedeco.javacpp.Pointer;

/**
 * How much memory training a network will take, worked out from its description before anything is allocated,
 * so that a network far too large for the machine is refused with the numbers instead of failing (or swapping)
 * half-way through.
 *
 * <p>The estimate counts, in float32: every parameter three times (value, gradient, and the copy made while
 * initialising) and once more per array the optimiser keeps for it (momentum's velocity, Adam's moments and work
 * array; early stopping's copy of the best parameters with {@link #withParameterCopies}), and the arrays each layer
 * keeps for a training mini-batch (activations, deltas, input gradients, dropout masks, and for convolutions the
 * "full" arrays of N·H·W rows) plus those of one inference batch (evaluation). It leaves out the data set itself. It is an estimate: within a factor of about 1.5.
 *
 * @param parameters       trainable scalars
 * @param largestLayerParameters the weights of the layer with the most
 * @param parameterBytes   bytes for the parameters, their gradients, the initialisation copy and the optimiser's
 *                         arrays
 * @param activationBytes  bytes for the per-layer arrays of one training mini-batch and one inference batch
 * @param miniBatchSize    the training mini-batch size the estimate assumes
 * @param inferenceBatch   the inference batch size the estimate assumes
 */
public record MemoryEstimate(long parameters, long largestLayerParameters, long parameterBytes,
                             long activationBytes, int miniBatchSize, int inferenceBatch) {

    private static final long FLOAT = 4;

    /** The estimate for training {@code model} in mini-batches of its miniBatchSize, evaluating in batches of {@code inferenceBatch}. */
    public static MemoryEstimate of(ModelSpec model, int inferenceBatch) {
        return of(model, model.network().hyperparams().miniBatchSize(), inferenceBatch);
    }

    /** The estimate for training {@code model} in mini-batches of {@code miniBatchSize}. */
    public static MemoryEstimate of(ModelSpec model, int miniBatchSize, int inferenceBatch) {
        List<LayerSpec> layers = model.network().layers();
        Shape input = model.inputShape();
        long parameters = 0;
        long largest = 0;
        double values = 0;                                  // double: no overflow whatever the sizes
        for (LayerSpec layer : layers) {
            Shape output = layer.outputShape(input);
            parameters = saturatedAdd(parameters, layer.parameterCount(input));
            largest = Math.max(largest, layer.parameterCount(input));
            values += LayerKinds.values(layer, input, output, miniBatchSize, inferenceBatch);
            input = output;
        }
        values += 2.0 * miniBatchSize * (size(model.inputShape()) + model.classes().size());   // the batch x, y
        double copies = 3.0 + Optimizers.arraysPerParameter(model.network().optimizer());
        double parameterBytes = copies * FLOAT * parameters;
        return new MemoryEstimate(parameters, largest, clamp(parameterBytes), clamp(values * FLOAT), miniBatchSize,
                inferenceBatch);
    }

    /**
     * This estimate with {@code copies} more float32 copies of every parameter: early stopping keeps the best
     * epoch's parameters.
     */
    public MemoryEstimate withParameterCopies(int copies) {
        double extra = (double) copies * FLOAT * parameters;
        return new MemoryEstimate(parameters, largestLayerParameters, clamp(parameterBytes + extra), activationBytes,
                miniBatchSize, inferenceBatch);
    }

    private static double size(Shape shape) {
        return (double) shape.width() * shape.height() * shape.depth();
    }

    private static long clamp(double bytes) {
        return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(bytes);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** Parameters and activations together. */
    public long totalBytes() {
        return saturatedAdd(parameterBytes, activationBytes);
    }

    /**
     * The memory training may use. ND4J keeps its arrays outside the Java heap, in memory it allocates itself
     * (not limited by {@code -Xmx} nor counted by JavaCPP), so what bounds them is the free physical memory; the
     * initial weights are drawn on the Java heap first, one layer at a time.
     *
     * @param physicalFree free physical memory ({@link Pointer#availablePhysicalBytes()}), 0 when unknown
     * @param heapFree     the Java heap still available: its maximum minus what is in use
     */
    public record Available(long physicalFree, long heapFree) {

        /** "20.5 GB of free physical memory". */
        public String describe() {
            return physicalFree > 0 ? MemoryEstimate.bytes(physicalFree) + " of physical memory is free"
                    : "the free physical memory is unknown";
        }
    }

    /** What this machine and JVM have now. */
    public static Available available() {
        Runtime runtime = Runtime.getRuntime();
        return new Available(Pointer.availablePhysicalBytes(),
                runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory()));
    }

    /**
     * Refuses a network that does not fit in {@code available}, before anything is allocated.
     *
     * @throws ConfigException with the estimate and what is available
     */
    public void require(Available available) {
        String needs = "it needs about " + bytes(totalBytes()) + " (" + String.format(Locale.ROOT, "%,d", parameters)
                + " parameters: " + bytes(parameterBytes) + " with their gradients; activations for mini-batches of "
                + miniBatchSize + " and evaluation batches of " + inferenceBatch + ": " + bytes(activationBytes) + ")";
        if (available.physicalFree() > 0 && totalBytes() > available.physicalFree()) {
            throw new ConfigException("the network is too large to train here: " + needs + ", but only "
                    + available.describe() + "; use fewer or smaller layers or smaller mini-batches");
        }
        if (largestLayerParameters > Integer.MAX_VALUE) {
            throw new ConfigException("the network is too large to train: " + needs + ", and one layer has "
                    + String.format(Locale.ROOT, "%,d", largestLayerParameters) + " weights, more than the "
                    + String.format(Locale.ROOT, "%,d", Integer.MAX_VALUE) + " one array can hold; use smaller layers");
        }
        if (FLOAT * largestLayerParameters > available.heapFree()) {
            throw new ConfigException("the network is too large for Java's heap: its largest layer's initial weights"
                    + " take " + bytes(FLOAT * largestLayerParameters) + " of heap, but only "
                    + bytes(available.heapFree()) + " is free; give Java more memory (RICHARD_JAVA_OPTS=-Xmx"
                    + Math.max(2, (FLOAT * largestLayerParameters >> 30) * 2 + 2) + "g) or use smaller layers");
        }
    }

    /** "512 KB", "1.5 MB", "2.0 GB", "37.3 TB". */
    public static String bytes(long n) {
        String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
        double value = n;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? n + " bytes" : String.format(Locale.ROOT, unit == 1 ? "%.0f %s" : "%.1f %s", value,
                units[unit]);
    }
}
