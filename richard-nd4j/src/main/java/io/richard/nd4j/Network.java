package io.richard.nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.richard.api.ConfigException;
import io.richard.api.Layer;
import io.richard.api.Loss;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.spec.LayerDifference;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.LayerTable;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.layer.LayerKinds;
import io.richard.nd4j.layer.ReferenceInitializer;
import io.richard.nd4j.loss.OutputCost;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A feed-forward classifier: the layers of a {@link ModelSpec} chained with shape inference, the cost of the
 * output layer (the reference's quadratic cost, or cross-entropy: {@link OutputCost}), and prediction.
 *
 * <p>The input of {@link #output}, {@link #predict} and {@link #forward} is a matrix (N, W·H·D) of normalised
 * values in the reference's order (x fastest, then y, then channel), one sample per row. Inference-mode
 * methods write no state and may be called from several threads at once; training-mode
 * {@link #forward}/{@link #backward} are for one thread (the trainer, {@code io.richard.nd4j.train.Trainer}).
 */
public final class Network {

    private final ModelSpec model;
    private final List<Layer> layers;
    private final OutputCost cost;
    private final DataType dataType;
    private final long seed;
    private final Kernels kernels;

    private Network(ModelSpec model, List<Layer> layers, DataType dataType, long seed, Kernels kernels) {
        this.model = model;
        this.layers = List.copyOf(layers);
        this.dataType = dataType;
        this.seed = seed;
        this.kernels = kernels;
        this.cost = OutputCost.of(model.network().outputLayer());
    }

    /**
     * The seed of layer {@code l}'s dropout masks in a network whose parameters were drawn from {@code seed};
     * networks rebuilt from files use the same seeds, so dropout continues exactly where it left off.
     */
    public static long layerSeed(long seed, int l) {
        return seed * 1_000_003L + l;
    }

    /** A new float32 network with the reference's initial parameters drawn from {@code seed} (0 = the reference's own). */
    public static Network create(ModelSpec model, long seed) {
        return create(model, seed, DataType.FLOAT);
    }

    /** A new network of the given floating-point type (float64 for gradient checks), on the backend's kernels. */
    public static Network create(ModelSpec model, long seed, DataType dataType) {
        return create(model, seed, dataType, Kernels.forBackend());
    }

    /**
     * A new network of the given floating-point type whose layers run on {@code kernels} ({@link Kernels#plain()}
     * or {@link Kernels#fast()}).
     */
    public static Network create(ModelSpec model, long seed, DataType dataType, Kernels kernels) {
        ReferenceInitializer init = new ReferenceInitializer(seed);
        List<Layer> layers = new ArrayList<>();
        Shape shape = model.inputShape();
        List<LayerSpec> specs = model.network().layers();
        for (int l = 0; l < specs.size(); l++) {
            Layer layer = LayerKinds.create(specs.get(l), shape, init, dataType, layerSeed(seed, l), kernels);
            layers.add(layer);
            shape = layer.outputShape();
        }
        return new Network(model, layers, dataType, seed, kernels);
    }

    /**
     * A network for an input shape and layers alone (class labels "0", "1", …, normalisation [0, 1]); handy in
     * code and tests.
     */
    public static Network create(Shape inputShape, NetworkSpec spec, long seed, DataType dataType) {
        return create(defaultModel(inputShape, spec), seed, dataType);
    }

    /** The model description of {@link #create(Shape, NetworkSpec, long, DataType)}. */
    public static ModelSpec defaultModel(Shape inputShape, NetworkSpec spec) {
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < spec.outputLayer().size(); c++) {
            classes.add(Integer.toString(c));
        }
        return ModelSpec.of(classes, inputShape, new Normalization(0, 1), spec);
    }

    /**
     * A network from given layers (for example read from a file); checks that they match the description.
     * Its {@link #seed()} is 0.
     */
    public static Network of(ModelSpec model, List<Layer> layers) {
        return of(model, layers, 0);
    }

    /**
     * A network from given layers whose dropout masks were seeded with {@link #layerSeed(long, int)} of
     * {@code seed}; checks that they match the description.
     */
    public static Network of(ModelSpec model, List<Layer> layers, long seed) {
        return of(model, layers, seed, Kernels.forBackend());
    }

    /**
     * The same for layers running on {@code kernels}: the kernels of the copies this network makes ({@link
     * #withKernels}, training replicas).
     */
    public static Network of(ModelSpec model, List<Layer> layers, long seed, Kernels kernels) {
        List<LayerSpec> specs = model.network().layers();
        List<Shape> shapes = model.network().shapes(model.inputShape());
        if (layers.size() != specs.size()) {
            throw new IllegalArgumentException("the description has " + specs.size() + " layers, got " + layers.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            if (!layers.get(l).outputShape().equals(shapes.get(l))) {
                throw new IllegalArgumentException(model.network().path(l) + " produces " + layers.get(l).outputShape()
                        + ", the description says " + shapes.get(l));
            }
        }
        DataType type = layers.stream().flatMap(l -> l.parameters().stream()).findFirst()
                .map(p -> p.value().dataType()).orElse(DataType.FLOAT);
        return new Network(model, layers, type, seed, kernels);
    }

    /**
     * A network of the description {@code model} whose parameters start as copies of this network's: to train a
     * loaded network further with other hyper-parameters, learning rates, dropout rates, data settings or class
     * labels. The layers and shapes of {@code model} must equal this network's. Dropout masks are drawn from this
     * network's {@link #seed()}.
     *
     * @throws ConfigException naming the first difference (layer index, key, both values) when {@code model}'s
     *                         layers or shapes differ from this network's
     */
    public Network copyWith(ModelSpec model) {
        return copyWith(model, seed);
    }

    /**
     * The same, with dropout masks drawn from {@code seed} (see {@link #layerSeed}), as in a network
     * {@link #create created} from {@code seed}.
     */
    public Network copyWith(ModelSpec model, long seed) {
        LayerDifference.between(model, this.model).ifPresent(d -> {
            throw new ConfigException(d.where() + " is " + d.value() + " in the new description but " + d.other()
                    + " in this network; training can start from a network's parameters only with the same layers"
                    + " and shapes (learning rates, dropout rates, hyper-parameters and the data section may differ)");
        });
        List<LayerSpec> specs = model.network().layers();
        List<Layer> copies = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Map<String, INDArray> values = new LinkedHashMap<>();
            LayerKinds.values(layers.get(l)).forEach((name, value) -> values.put(name, value.dup('c')));
            copies.add(LayerKinds.build(specs.get(l), layers.get(l).inputShape(), values, layerSeed(seed, l), kernels));
        }
        return new Network(model, copies, dataType, seed, kernels);
    }

    /**
     * A copy of this network for another training thread: its layers hold the same parameter arrays (W and b,
     * not copies, so an update of this network is an update of the replica) but their own gradients, work arrays
     * and dropout masks, drawn from seeds that depend on {@code part} (so every part of a mini-batch drops its
     * own units, and a rerun draws the same masks). The trainer's data-parallel step trains one replica per thread.
     */
    public Network replica(int part) {
        return rebuild(kernels, part);
    }

    /**
     * This network with its layers on {@code kernels}: the same parameter arrays (W and b, not copies: training
     * one trains the other) and dropout seeds, its own gradients and work arrays. For example
     * {@code ModelArchive.load(file).network().withKernels(Kernels.plain())}.
     */
    public Network withKernels(Kernels kernels) {
        return rebuild(kernels, 0);
    }

    /** The layers again on the same parameter arrays, on {@code kernels}, with the dropout seeds of part {@code part}. */
    private Network rebuild(Kernels kernels, int part) {
        List<Layer> copies = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            long layerSeed = layerSeed(seed, l) + part * 0x9E3779B97F4A7C15L;
            copies.add(LayerKinds.build(layer.spec(), layer.inputShape(), LayerKinds.values(layer), layerSeed, kernels));
        }
        return new Network(model, copies, dataType, seed, kernels);
    }

    /** The kernels this network's layers run on. */
    public Kernels kernels() {
        return kernels;
    }

    /**
     * True when splitting a mini-batch or an evaluation batch between threads pays off for this network: when a
     * layer's work is mostly on its activations (a convolution; see {@link
     * io.richard.nd4j.layer.LayerKind#splitsWell}).
     */
    public boolean splitsWell() {
        return layers.stream().anyMatch(layer -> LayerKinds.splitsWell(layer.spec()));
    }

    /**
     * A forward pass through every layer, each given {@code mode} (for a training step, the step its dropout masks
     * are drawn for); the output (N, classes) of the output layer.
     */
    public INDArray forward(INDArray x, Mode mode) {
        INDArray a = x.dataType() == dataType ? x : x.castTo(dataType);
        for (Layer layer : layers) {
            a = layer.forward(a, mode);
        }
        return a;
    }

    /**
     * Back-propagates what {@link #outputGradient} gave through every layer, from the last to the first, leaving
     * each layer's parameter gradients (summed over the mini-batch) in its {@link io.richard.api.Parameter}s.
     */
    public void backward(INDArray gradOutput) {
        INDArray grad = gradOutput;
        for (int l = layers.size() - 1; l >= 0; l--) {
            grad = layers.get(l).backward(grad, l > 0);
        }
    }

    /** The output activations a^L, (N, classes), in inference mode, as a new array. */
    public INDArray output(INDArray x) {
        return forward(x, Mode.INFERENCE).dup();
    }

    /**
     * The output activations a^L, (N, classes), in inference mode, as a new array; the rows are split between
     * {@code threads} threads (at least 64 rows each; fewer rows run on this thread).
     */
    public INDArray output(INDArray x, int threads) {
        long n = x.rows();
        if (RowSplit.parts(n, threads) == 1) {
            return output(x);
        }
        INDArray outputs = Nd4j.create(dataType, n, model.classes().size());
        try (RowSplit split = RowSplit.open(threads)) {
            split.map(n, (p, from, to) -> outputs.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                    .assign(forward(x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), Mode.INFERENCE)));
        }
        return outputs;
    }

    /** The predicted class index of each row: the argmax of the output, the first index winning ties. */
    public int[] predict(INDArray x) {
        return argmax(output(x));
    }

    /**
     * The index of the largest value of each row, the first one winning ties. Read from a copy of the (N, classes)
     * outputs rather than with ND4J's argmax op, which costs 50–70 ms the first time a JVM runs it (more than
     * evaluating 10,000 images with the dense example network) and 0.2 ms per 1,000 rows afterwards against 0.07 ms
     * for this loop over the few classes of each row (measured).
     */
    public static int[] argmax(INDArray outputs) {
        INDArray matrix = outputs.rank() == 1 ? outputs.reshape(1, outputs.length()) : outputs;
        int rows = (int) matrix.rows();
        int columns = (int) matrix.columns();
        double[] values = values(exact(matrix) ? matrix : matrix.dup('c'));
        int[] indices = new int[rows];
        for (int n = 0; n < rows; n++) {
            int best = 0;
            for (int k = 1; k < columns; k++) {
                if (values[n * columns + k] > values[n * columns + best]) {
                    best = k;
                }
            }
            indices[n] = best;
        }
        return indices;
    }

    /** True when the array's buffer holds exactly its elements in C order (not a view): it can be read as it is. */
    private static boolean exact(INDArray array) {
        return !array.isView() && array.ordering() == 'c' && array.data().offset() == 0
                && array.data().length() == array.length();
    }

    /**
     * The elements of an array whose buffer holds exactly them in C order, read in bulk: {@code DataBuffer.asDouble()}
     * reads them one by one, which took several milliseconds per 10,000 outputs the first time a JVM evaluated
     * (before the JIT compiles it).
     */
    private static double[] values(INDArray array) {
        int n = (int) array.length();
        double[] values = new double[n];
        if (array.dataType() == DataType.FLOAT) {
            float[] floats = new float[n];
            array.data().asNioFloat().get(floats);
            for (int i = 0; i < n; i++) {
                values[i] = floats[i];
            }
        } else if (array.dataType() == DataType.DOUBLE) {
            array.data().asNioDouble().get(values);
        } else {
            values = array.data().asDouble();
        }
        return values;
    }

    /** Accuracy, mean cost and confusion matrix over a whole data set, in mini-batches of {@code batchSize}. */
    public Evaluation evaluate(LabelledDataSet data, int batchSize) {
        return Evaluation.of(this, data, batchSize);
    }

    /** The same, each mini-batch's rows split between {@code threads} threads ({@link #output(INDArray, int)}). */
    public Evaluation evaluate(LabelledDataSet data, int batchSize, int threads) {
        return Evaluation.of(this, data, batchSize, threads);
    }

    /** The cost function of the output layer: the quadratic cost (15), or cross-entropy. */
    public Loss loss() {
        return cost.loss();
    }

    /**
     * The summed cost of outputs {@code a} (from {@link #forward}) for targets {@code y}, and what back-propagation
     * starts from, written into {@code out} for {@link #backward}: ∇a C (17), which the output layer turns into δ^L
     * by (14); or, for the cross-entropy cost, its fused δ^L = a − y, which the output layer passes on.
     */
    public double outputGradient(INDArray a, INDArray y, INDArray out) {
        return cost.outputGradient(a, y, out);
    }

    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public ModelSpec model() {
        return model;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The seed the initial parameters and the layers' dropout masks were drawn from (0 for the reference's). */
    public long seed() {
        return seed;
    }

    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /** A table of the layers: index, type, output shape, activation and parameter count. */
    public String summary() {
        return LayerTable.of(model, cost.loss().name());
    }
}
