package io.richard.nd4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.richard.api.ConfigException;
import io.richard.api.Layer;
import io.richard.api.ModelFormatException;
import io.richard.api.Parameter;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.EarlyStopping;
import io.richard.nd4j.train.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: a {@link ModelArchive} (so {@code richard eval} and {@link Models#load} open it like any
 * model) with one more entry, {@code training-state.json}, and the optimiser's arrays, if it has any:
 *
 * <pre>
 * richard-model.json      the model description, parameter list and metadata, as in every model archive
 * params/…                the parameters
 * training-state.json     {"format": "richard-checkpoint", "formatVersion": 1,
 *                          "seed": 0,                  (the network's seed: the layers' dropout seeds follow from it)
 *                          "epoch": 2, "batch": 17,    (0-based epoch to run next; mini-batches of it already applied)
 *                          "samples": 68, "cost": 3.25, (samples of that epoch applied and their summed cost)
 *                          "shuffleSeed": 7,           (or null for data order)
 *                          "optimizer": "sgd",
 *                          "optimizerState": [{"name": …, "entry": "optimizer/….npy", "shape": […], "dtype": …}],
 *                          "earlyStopping": {"metric": "testAccuracy", "bestEpoch": 4, "best": 0.991,
 *                                            "lastTested": 6, "parameters": [{"name": …, "entry": "best/….npy", …}]}}
 *                                              (only with early stopping; the format version is then 2)
 * optimizer/…             the optimiser's state arrays (none for SGD)
 * best/…                  the best epoch's parameters, for early stopping
 * </pre>
 *
 * <p>Written atomically like every model file: after a crash the file is the previous checkpoint or the new one.
 * Read as strictly as a model archive: every problem is a {@link ModelFormatException} naming the file.
 *
 * @param network  the network with the checkpoint's parameters (and dropout seeds)
 * @param state    where training stands
 * @param metadata the archive's metadata
 */
public record Checkpoint(Network network, TrainingState state, Map<String, String> metadata) {

    /** The value of {@code format} in {@code training-state.json}. */
    public static final String FORMAT = "richard-checkpoint";

    /**
     * The newest checkpoint format version this class writes and reads: 2 for a checkpoint with early stopping's
     * state, 1 (which older versions read) for every other.
     */
    public static final int FORMAT_VERSION = 2;

    /** The name of the training-state entry. */
    public static final String STATE_ENTRY = "training-state.json";

    /** The folder of the optimiser's arrays. */
    public static final String OPTIMIZER_FOLDER = "optimizer/";

    /** The folder of early stopping's best parameters. */
    public static final String BEST_FOLDER = "best/";

    public Checkpoint {
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Writes a checkpoint of {@code network} at {@code state}, replacing {@code file} atomically.
     *
     * @throws java.io.UncheckedIOException naming the file when it cannot be written
     */
    public static void save(Path file, Network network, TrainingState state, Map<String, String> metadata) {
        ObjectNode json = ModelJson.STRICT.createObjectNode();
        json.put("format", FORMAT);
        json.put("formatVersion", state.earlyStopping() == null ? 1 : FORMAT_VERSION);
        json.put("seed", network.seed());
        json.put("epoch", state.epoch());
        json.put("batch", state.batch());
        json.put("samples", state.samples());
        json.put("cost", state.cost());
        if (state.shuffleSeed().isPresent()) {
            json.put("shuffleSeed", state.shuffleSeed().getAsLong());
        } else {
            json.putNull("shuffleSeed");
        }
        json.put("optimizer", state.optimizer());
        List<ModelArchive.Extra> arrayEntries = new ArrayList<>();
        arrays(json.putArray("optimizerState"), state.optimizerState(), OPTIMIZER_FOLDER, arrayEntries);
        EarlyStopping.State stopping = state.earlyStopping();
        if (stopping != null) {
            ObjectNode early = json.putObject("earlyStopping");
            early.put("metric", stopping.metric());
            early.put("bestEpoch", stopping.bestEpoch());
            if (Double.isFinite(stopping.best())) {
                early.put("best", stopping.best());
            } else {
                early.putNull("best");
            }
            early.put("lastTested", stopping.lastTested());
            arrays(early.putArray("parameters"), stopping.parameters(), BEST_FOLDER, arrayEntries);
        }
        byte[] stateBytes;
        try {
            stateBytes = ModelJson.STRICT.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the training state as JSON", e);
        }
        List<ModelArchive.Extra> extras = new ArrayList<>();
        extras.add(new ModelArchive.Extra(STATE_ENTRY, out -> out.write(stateBytes)));
        extras.addAll(arrayEntries);
        Map<String, String> allMetadata = ModelArchive.standardMetadata(metadata);
        OutputFiles.write(file, "checkpoint", out -> ModelArchive.write(out, network, allMetadata, extras));
    }

    /** Lists {@code values} in {@code list} and adds their entries, {@code FOLDER00.npy}, … */
    private static void arrays(ArrayNode list, Map<String, INDArray> values, String folder,
                               List<ModelArchive.Extra> entries) {
        int i = 0;
        for (Map.Entry<String, INDArray> entry : values.entrySet()) {
            String name = String.format("%s%02d.npy", folder, i++);
            INDArray value = entry.getValue();
            ObjectNode item = list.addObject();
            item.put("name", entry.getKey());
            item.put("entry", name);
            ArrayNode shape = item.putArray("shape");
            Arrays.stream(value.shape()).forEach(shape::add);
            item.put("dtype", ModelArchive.dtypeName(Npy.storedType(value.dataType())));
            entries.add(new ModelArchive.Extra(name, out -> Npy.write(out, value)));
        }
    }

    /**
     * Loads a checkpoint written by {@link #save}.
     *
     * @throws ModelFormatException naming the file and the problem when it is missing, not a checkpoint (for
     *                              example a plain model archive), from a newer version, damaged or inconsistent
     */
    public static Checkpoint load(Path file) {
        return ModelArchive.open(file, "checkpoint", "a Richard checkpoint", reader -> read(file, reader));
    }

    private static Checkpoint read(Path file, ModelArchive.Reader reader) throws IOException {
        if (!reader.has(STATE_ENTRY)) {
            if (!reader.has(ModelArchive.DESCRIPTION_ENTRY)) {
                throw reader.fail("has no " + ModelArchive.DESCRIPTION_ENTRY + " entry; it is a ZIP file but not a"
                        + " Richard checkpoint");
            }
            throw reader.fail("is a model archive but not a checkpoint: it has no " + STATE_ENTRY + " entry"
                    + " (checkpoints are written by richard train --checkpoint-every)");
        }
        JsonNode root = reader.json(STATE_ENTRY);
        String at = STATE_ENTRY + ": ";
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw reader.fail("is not a Richard checkpoint: " + STATE_ENTRY + " has format '" + format
                    + "', expected '" + FORMAT + "'");
        }
        long version = integer(reader, root, "formatVersion", Long.MIN_VALUE, Long.MAX_VALUE);
        if (version > FORMAT_VERSION) {
            throw reader.fail("has checkpoint format version " + version + ", written by a newer Richard; this version"
                    + " reads format version " + FORMAT_VERSION + " at most. Upgrade Richard to resume from it");
        }
        if (version < 1) {
            throw reader.fail(at + "formatVersion is " + version + "; expected 1 to " + FORMAT_VERSION);
        }
        long seed = integer(reader, root, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        int epoch = (int) integer(reader, root, "epoch", 0, Integer.MAX_VALUE);
        int batch = (int) integer(reader, root, "batch", 0, Integer.MAX_VALUE);
        int samples = (int) integer(reader, root, "samples", 0, Integer.MAX_VALUE);
        JsonNode costNode = root.get("cost");
        if (costNode == null || !costNode.isNumber() || !Double.isFinite(costNode.doubleValue())
                || costNode.doubleValue() < 0) {
            throw reader.fail(at + "cost must be a finite number >= 0 (the summed cost of the epoch so far)");
        }
        JsonNode shuffleNode = root.get("shuffleSeed");
        OptionalLong shuffleSeed = shuffleNode == null || shuffleNode.isNull() ? OptionalLong.empty()
                : OptionalLong.of(integer(reader, root, "shuffleSeed", Long.MIN_VALUE, Long.MAX_VALUE));
        JsonNode optimizerNode = root.get("optimizer");
        if (optimizerNode == null || !optimizerNode.isTextual() || optimizerNode.asText().isEmpty()) {
            throw reader.fail(at + "optimizer must be the optimiser's name (a string)");
        }
        Map<String, INDArray> optimizerState = arrays(reader, root.get("optimizerState"), "optimizerState",
                OPTIMIZER_FOLDER, "optimizer state ");
        EarlyStopping.State stopping = earlyStopping(reader, root.get("earlyStopping"));
        TrainingState state;
        try {
            state = new TrainingState(epoch, batch, samples, costNode.doubleValue(), shuffleSeed,
                    optimizerNode.asText(), optimizerState, stopping);
        } catch (IllegalArgumentException e) {
            throw reader.fail(at + e.getMessage());
        }
        SavedModel saved = reader.read(seed);
        return new Checkpoint(saved.network(), state, saved.metadata());
    }

    private static long integer(ModelArchive.Reader reader, JsonNode root, String key, long min, long max) {
        JsonNode node = root.get(key);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min
                || node.longValue() > max) {
            throw reader.fail(STATE_ENTRY + ": " + key + " must be an integer"
                    + (min == 0 ? " from 0 to " + max : "") + (node == null ? ", but it is missing"
                    : ", found " + abbreviate(node.toString())));
        }
        return node.longValue();
    }

    /** Early stopping's state, or null when the checkpoint has none. */
    private static EarlyStopping.State earlyStopping(ModelArchive.Reader reader, JsonNode node) throws IOException {
        if (node == null) {
            return null;
        }
        String at = STATE_ENTRY + ": earlyStopping";
        if (!node.isObject() || !node.path("metric").isTextual() || !node.path("bestEpoch").canConvertToInt()
                || !node.path("bestEpoch").isIntegralNumber() || !node.path("lastTested").isIntegralNumber()
                || !node.path("lastTested").canConvertToInt() || !(node.path("best").isNumber()
                || node.path("best").isNull())) {
            throw reader.fail(at + " must be an object {metric, bestEpoch, best, lastTested, parameters}");
        }
        Map<String, INDArray> parameters = arrays(reader, node.get("parameters"), "earlyStopping.parameters",
                BEST_FOLDER, "best parameter ");
        try {
            return new EarlyStopping.State(node.get("metric").asText(), node.get("bestEpoch").intValue(),
                    node.get("best").isNull() ? Double.NaN : node.get("best").doubleValue(),
                    node.get("lastTested").intValue(), parameters);
        } catch (IllegalArgumentException e) {
            throw reader.fail(at + ": " + e.getMessage());
        }
    }

    private static Map<String, INDArray> arrays(ModelArchive.Reader reader, JsonNode node, String key, String folder,
                                                String what) throws IOException {
        if (node == null || !node.isArray()) {
            throw reader.fail(STATE_ENTRY + ": " + key + " must be an array" + (key.equals("optimizerState")
                    ? " (empty for SGD)" : ""));
        }
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String at = STATE_ENTRY + ": " + key + "[" + i + "]";
            if (!item.isObject() || !item.path("name").isTextual() || !item.path("entry").isTextual()
                    || !item.path("shape").isArray() || !item.path("dtype").isTextual()) {
                throw reader.fail(at + " must be an object {name, entry, shape, dtype}");
            }
            String entry = item.get("entry").asText();
            if (!entry.startsWith(folder) || entry.contains("..") || entry.contains("\\")) {
                throw reader.fail(at + ".entry must name an entry in " + folder + ", found '"
                        + abbreviate(entry) + "'");
            }
            JsonNode shapeNode = item.get("shape");
            long[] shape = new long[shapeNode.size()];
            for (int d = 0; d < shape.length; d++) {
                JsonNode n = shapeNode.get(d);
                if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
                    throw reader.fail(at + ".shape must be an array of integers >= 0, found " + abbreviate(
                            shapeNode.toString()));
                }
                shape[d] = n.intValue();
            }
            DataType type = switch (item.get("dtype").asText()) {
                case "float32" -> DataType.FLOAT;
                case "float64" -> DataType.DOUBLE;
                default -> throw reader.fail(at + ".dtype must be 'float32' or 'float64'");
            };
            String name = item.get("name").asText();
            if (state.put(name, reader.array(entry, shape, type, what + name)) != null) {
                throw reader.fail(at + " repeats the name '" + abbreviate(name) + "'");
            }
        }
        return state;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /**
     * This checkpoint's network under another, compatible description: the same data section and the same layers
     * with the same shapes, while training settings may differ (learning rates and their decay, dropout rates,
     * epochs, fetch size). The parameters are shared, not copied. This is how a run resumes after its config
     * was edited, e.g. with a lower learnRate after the training diverged.
     *
     * @throws ConfigException naming the first difference when the description does not fit the checkpoint
     */
    public Network network(ModelSpec model) {
        ModelSpec saved = network.model();
        if (!model.data().equals(saved.data())) {
            throw new ConfigException("the config's data section " + describe(model) + " differs from the"
                    + " checkpoint's " + describe(saved) + "; a checkpoint resumes only with the same classes,"
                    + " shape and normalization");
        }
        List<ParameterLayout.Expected> want = ParameterLayout.expected(model);
        List<ParameterLayout.Expected> have = ParameterLayout.expected(saved);
        List<String> wantTypes = model.network().layers().stream().map(l -> l.type()).toList();
        List<String> haveTypes = saved.network().layers().stream().map(l -> l.type()).toList();
        boolean same = wantTypes.equals(haveTypes) && want.size() == have.size()
                && model.network().shapes(model.inputShape()).equals(saved.network().shapes(saved.inputShape()));
        for (int i = 0; same && i < want.size(); i++) {
            same = Arrays.equals(want.get(i).shape(), have.get(i).shape());
        }
        if (!same) {
            throw new ConfigException("the config's network (" + layers(model) + ") differs from the checkpoint's ("
                    + layers(saved) + "); only learning rates, their decay, dropout rates and epochs may change"
                    + " when resuming");
        }
        Map<Integer, Map<String, INDArray>> values = new LinkedHashMap<>();
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            for (Parameter p : layers.get(l).parameters()) {
                values.computeIfAbsent(l, k -> new LinkedHashMap<>()).put(p.name(), p.value());
            }
        }
        return ParameterLayout.build(model, values, network.seed());
    }

    private static String describe(ModelSpec model) {
        return "(classes " + model.classes() + ", shape " + model.inputShape() + ", normalization ["
                + model.data().normalization().min() + ", " + model.data().normalization().max() + "])";
    }

    private static String layers(ModelSpec model) {
        List<String> parts = new ArrayList<>();
        List<io.richard.api.Shape> shapes = model.network().shapes(model.inputShape());
        for (int l = 0; l < shapes.size(); l++) {
            parts.add(model.network().layers().get(l).type() + " " + shapes.get(l));
        }
        return String.join(", ", parts);
    }
}
