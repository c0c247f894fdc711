package io.richard.nd4j.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.richard.api.ConfigException;
import io.richard.api.Quote;
import io.richard.api.spec.ClassifierSpec;
import io.richard.api.spec.DataLoaderSpec;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OutputLayerSpec;

/**
 * The one reading of a model description ({@code data}, {@code dataLoader}, {@code classifier.network}), whatever
 * it comes from: a YAML or JSON config file (the command line's {@code ConfigReader}), the config the C++ program
 * embeds in its network file ({@link ReferenceNetworkFile}), or the description in a model archive or checkpoint
 * ({@link ModelArchive}, {@link Checkpoint}).
 *
 * <p>A {@link Document} is parsed from any Jackson parser (JSON here, YAML by the command line) into a tree that
 * remembers where every key and value was written; nulls and duplicate keys are rejected while parsing. The tree
 * is then bound strictly: a string or a fraction where an integer belongs, a missing required key or an unknown
 * layer type is a {@link ConfigException} of one line, {@code SOURCE:LINE:COLUMN: path.to.key: what is wrong;
 * expected …}, an unknown key comes with the nearest valid one, and a network that cannot be built names its layer
 * and numbers at the key they are about.
 *
 * <p>The same leniency everywhere: the output layer may leave out {@code type} (the reference forces it to
 * {@code output} and does not write it into its network files), {@code classifier.network.gpu} (the reference's
 * Vulkan tuning) is ignored with a note, class labels written as bare numbers are the text written, and JSON may
 * hold comments and trailing commas. One difference is chosen by the caller, {@link UnknownKeys}: a config file or
 * one of our archives rejects a key it does not know, while the C++ program keeps every key of its config and
 * writes them all into its network file, so such a file's unknown keys are ignored (each with a note).
 */
public final class DescriptionReader {

    /** What an unknown key means. */
    public enum UnknownKeys {
        /** An error naming the key and the nearest valid one (config files, model archives, checkpoints). */
        REJECT,
        /** Ignored, with a note (the C++ program's network files, whose config keeps every key a user wrote). */
        IGNORE
    }

    /** JSON as people write it: comments and the trailing commas of the reference README's examples. */
    public static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();

    private static final ObjectMapper MAPPER = strictMapper();
    private static final Pattern CLASS_LABEL = Pattern.compile("(^|\\.)data\\.classes\\[\\d+]$");
    private static final Pattern LAYER_PREFIX = Pattern.compile("^(hiddenLayers\\[\\d+]|outputLayer)(?=: )");
    private static final String GPU = "classifier.network.gpu";

    private DescriptionReader() {
    }

    /**
     * Parses a document from a parser positioned before its first token, recording where every key and value is.
     *
     * @param source       the name used in messages (a file name, or e.g. {@code net.bin (network file config)})
     * @param expectations what the values at some paths should be, in words, for keys the caller reads itself
     *                     (e.g. the command line's {@code training} section); {@code ""} is the whole document
     * @throws JsonProcessingException for a syntax error, for the caller to report ({@link #syntaxError})
     * @throws ConfigException         for an empty document, a null, a duplicate key, a second document, or a
     *                                 document that is not a mapping
     */
    public static Document parse(JsonParser parser, String source, Map<String, String> expectations)
            throws JsonProcessingException {
        Document doc = new Document(source, expectations);
        try {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new ConfigException(source + ": the config is empty; expected " + doc.expected(""));
            }
            doc.root = doc.value(parser, "");
            if (!doc.root.isObject()) {
                throw doc.error(doc.valueLocations.get(""), "", "expected " + doc.expected("") + ", got "
                        + describe(doc.root));
            }
            if (parser.nextToken() != null) {
                throw doc.error(parser.currentTokenLocation(), "",
                        "more than one document in the file; expected a single config");
            }
        } catch (JsonProcessingException | ConfigException e) {
            throw e;
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the config: " + e.getMessage(), e);
        }
        return doc;
    }

    /**
     * Parses JSON text (comments and trailing commas allowed), reporting syntax errors with their position.
     *
     * @throws ConfigException for a syntax error or anything {@link #parse} rejects
     */
    public static Document parseJson(String text, String source) {
        return parseJson(text, source, Map.of());
    }

    /** The same, with words for what the values at some paths should be (see {@link #parse}). */
    public static Document parseJson(String text, String source, Map<String, String> expectations) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser parser = JSON.createParser(body)) {
            return parse(parser, source, expectations);
        } catch (JsonProcessingException e) {
            throw syntaxError(source, e, "JSON");
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the config: " + e.getMessage(), e);
        }
    }

    /** {@code SOURCE:LINE:COLUMN: JSON syntax error: …} for a parser's syntax error. */
    public static ConfigException syntaxError(String source, JsonProcessingException e, String format) {
        return new ConfigException(position(source, e.getLocation()) + format + " syntax error: "
                + ModelJson.clean(e.getOriginalMessage()), e);
    }

    /** What the value at a path of a model description should be, in words, e.g. "a positive integer". */
    static String expected(String path) {
        if (path.isEmpty()) {
            return "a mapping with the keys data, dataLoader, classifier";
        }
        String last = lastSegment(path);
        if (last.startsWith("[")) {
            String parent = lastSegment(parentPath(path));
            switch (parent) {
                case "shape":
                case "kernelSize":
                case "regionSize":
                    return "a positive integer";
                case "classes":
                    return "a class label";
                case "hiddenLayers":
                    return "a layer: a mapping with a type (dense, convolutional or maxPooling) and its keys";
                default:
                    return "a value";
            }
        }
        switch (last) {
            case "data":
                return "a mapping with classes, shape and normalization";
            case "dataLoader":
                return "a mapping with fetchSize";
            case "classifier":
                return "a mapping with network";
            case "classes":
                return "a list of class labels, e.g. [\"cat\", \"dog\"]";
            case "shape":
                return "an array of 3 positive integers [W, H, D]";
            case "normalization":
                return "a mapping with min and max";
            case "min":
            case "max":
            case "learnRate":
            case "learnRateDecay":
            case "dropoutRate":
                return "a number";
            case "fetchSize":
            case "batchSize":
            case "miniBatchSize":
            case "size":
            case "depth":
                return "a positive integer";
            case "epochs":
                return "an integer >= 0";
            case "network":
                return "a mapping with hyperparams, hiddenLayers and outputLayer";
            case "hyperparams":
                return "a mapping with epochs, batchSize and miniBatchSize";
            case "hiddenLayers":
                return "a list of layers";
            case "outputLayer":
                return "a mapping with size, learnRate and learnRateDecay";
            case "kernelSize":
            case "regionSize":
                return "an array of 2 positive integers [W, H]";
            case "type":
                return "one of dense, convolutional, maxPooling";
            default:
                return "a value";
        }
    }

    /** The three sections of a model description, bound before the description is validated as a whole. */
    record Sections(DataSpec data, DataLoaderSpec dataLoader, ClassifierSpec classifier) {

        @JsonCreator
        static Sections of(@JsonProperty(value = "data", required = true) DataSpec data,
                           @JsonProperty(value = "dataLoader", required = true) DataLoaderSpec dataLoader,
                           @JsonProperty(value = "classifier", required = true) ClassifierSpec classifier) {
            return new Sections(data, dataLoader, classifier);
        }
    }

    /** A parsed document: the tree and, for every path, where its key and its value were written. */
    public static final class Document {
        private final String source;
        private final Map<String, String> expectations;
        private JsonNode root;
        private final Map<String, JsonLocation> keyLocations = new HashMap<>();
        private final Map<String, JsonLocation> valueLocations = new HashMap<>();
        private final Map<String, JsonNode> nodes = new HashMap<>();
        private final Map<String, List<String>> children = new LinkedHashMap<>();

        private Document(String source, Map<String, String> expectations) {
            this.source = source;
            this.expectations = Map.copyOf(expectations);
        }

        /** The name used in messages. */
        public String source() {
            return source;
        }

        /** The whole document (a mapping). */
        public JsonNode root() {
            return root;
        }

        /** Whether the document holds a value at {@code path}, e.g. {@code classifier.network.gpu}. */
        public boolean has(String path) {
            return nodes.containsKey(path);
        }

        /**
         * Reads the model description at {@code base} ({@code ""} for the whole document).
         *
         * @param callerKeys keys beside {@code data}, {@code dataLoader} and {@code classifier} that the caller
         *                   reads itself (e.g. {@code training}); they are left out and named among the valid keys
         * @param unknown    whether an unknown key is an error or is ignored with a note
         * @param notes      receives one located line per thing worth telling that does not stop the reading
         *                   (the ignored GPU key, ignored unknown keys)
         * @throws ConfigException one located line naming the key and what was expected
         */
        public ModelSpec model(String base, Set<String> callerKeys, UnknownKeys unknown, List<String> notes) {
            JsonNode node = base.isEmpty() ? root : nodes.get(base);
            if (node == null || !node.isObject()) {
                throw error(valueLocation(base), base, "expected " + expected(base) + ", got "
                        + (node == null ? "nothing" : describe(node)));
            }
            ObjectNode sections = ((ObjectNode) node).deepCopy();
            sections.remove(callerKeys);
            Sections bound = bind(base, sections, Sections.class, unknown, callerKeys, notes);
            ModelSpec model;
            try {
                model = new ModelSpec(bound.data(), bound.dataLoader(), bound.classifier());
            } catch (ConfigException e) {
                throw locate(child(base, "classifier.network"), e.getMessage(), e);
            }
            String gpu = child(base, GPU);
            if (nodes.containsKey(gpu)) {
                notes.add(0, position(keyLocations.get(gpu)) + gpu
                        + " is ignored: it tunes the reference's Vulkan GPU path");
            }
            return model;
        }

        /**
         * Binds the mapping at {@code path} to {@code type} strictly (unknown keys are errors), with the same
         * located messages as the model description.
         */
        public <T> T bind(String path, Class<T> type) {
            JsonNode node = path.isEmpty() ? root : nodes.get(path);
            if (node == null) {
                throw error(valueLocation(path), path, "missing; expected " + expected(path));
            }
            return bind(path, node, type, UnknownKeys.REJECT, Set.of(), new ArrayList<>());
        }

        private <T> T bind(String base, JsonNode node, Class<T> type, UnknownKeys unknown, Set<String> callerKeys,
                           List<String> notes) {
            JsonNode working = node;
            while (true) {
                try {
                    return MAPPER.treeToValue(working, type);
                } catch (UnrecognizedPropertyException e) {
                    if (unknown == UnknownKeys.REJECT || e.getPath().size() < 1) {
                        throw translate(e, base, callerKeys);
                    }
                    // The C++ program keeps every key: leave this one out and bind again.
                    if (working == node) {
                        working = node.deepCopy();
                    }
                    remove(working, e.getPath());
                    String path = child(base, pathOf(e.getPath()));
                    notes.add(position(keyOrValueLocation(path)) + path + ": unknown key " + Quote.single(e.getPropertyName())
                            + " ignored");
                } catch (JsonMappingException e) {
                    throw translate(e, base, callerKeys);
                } catch (JsonProcessingException e) {
                    throw new ConfigException(source + ": " + firstLine(e.getOriginalMessage()), e);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(source + ": " + firstLine(e.getMessage()), e);
                }
            }
        }

        /** Removes the key a mapping error's path ends with from a tree. */
        private static void remove(JsonNode tree, List<JsonMappingException.Reference> path) {
            JsonNode node = tree;
            for (int i = 0; i < path.size() - 1 && node != null; i++) {
                JsonMappingException.Reference reference = path.get(i);
                node = reference.getFieldName() != null ? node.get(reference.getFieldName())
                        : node.get(reference.getIndex());
            }
            String key = path.get(path.size() - 1).getFieldName();
            if (!(node instanceof ObjectNode object) || key == null || object.remove(key) == null) {
                throw new IllegalStateException("cannot leave out the unknown key at " + pathOf(path));
            }
        }

        String expected(String path) {
            String words = expectations.get(path);
            return words != null ? words : DescriptionReader.expected(path);
        }

        /** Reads the value at the parser's current token, recording locations; rejects nulls and duplicates. */
        private JsonNode value(JsonParser p, String path) throws IOException {
            JsonLocation location = p.currentTokenLocation();
            valueLocations.put(path, location);
            JsonNodeFactory f = JsonNodeFactory.instance;
            JsonNode node;
            JsonToken token = p.currentToken();
            switch (token) {
                case START_OBJECT -> {
                    ObjectNode object = f.objectNode();
                    List<String> keys = new ArrayList<>();
                    children.put(path, keys);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        String keyPath = child(path, key);
                        if (object.has(key)) {
                            throw error(p.currentTokenLocation(), keyPath, "duplicate key " + Quote.single(key)
                                    + " (first written at line " + keyLocations.get(keyPath).getLineNr() + ")");
                        }
                        keyLocations.put(keyPath, p.currentTokenLocation());
                        keys.add(key);
                        p.nextToken();
                        object.set(key, value(p, keyPath));
                    }
                    node = object;
                }
                case START_ARRAY -> {
                    ArrayNode array = f.arrayNode();
                    int index = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        array.add(value(p, path + "[" + index++ + "]"));
                    }
                    node = array;
                }
                case VALUE_STRING -> node = TextNode.valueOf(p.getText());
                case VALUE_NUMBER_INT -> node = switch (p.getNumberType()) {
                    case INT -> IntNode.valueOf(p.getIntValue());
                    case LONG -> LongNode.valueOf(p.getLongValue());
                    default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> node = DoubleNode.valueOf(p.getDoubleValue());
                case VALUE_TRUE, VALUE_FALSE -> node = BooleanNode.valueOf(token == JsonToken.VALUE_TRUE);
                case VALUE_NULL -> throw error(keyLocations.getOrDefault(path, location), path,
                        "no value (null); expected " + expected(path)
                        + (keyLocations.containsKey(path) ? ", or leave the key out" : ""));
                default -> throw error(location, path, "unsupported value; expected " + expected(path));
            }
            if (CLASS_LABEL.matcher(path).find() && node.isValueNode() && !node.isTextual()) {
                node = TextNode.valueOf(p.getText());      // classes: [0, 1, 2] means the labels "0", "1", "2"
            }
            nodes.put(path, node);
            return node;
        }

        /** "SOURCE:LINE:COLUMN: " for a location, or "SOURCE: " without one. */
        public String position(JsonLocation location) {
            return DescriptionReader.position(source, location);
        }

        /** "SOURCE:LINE:COLUMN: " of the key (or else the value) at {@code path}. */
        public String position(String path) {
            return position(keyOrValueLocation(path));
        }

        ConfigException error(JsonLocation location, String path, String message) {
            return new ConfigException(position(location) + (path.isEmpty() ? "" : path + ": ") + message);
        }

        /** The location of the value at {@code path}, or of the nearest enclosing value that was written. */
        private JsonLocation valueLocation(String path) {
            String p = path;
            while (true) {
                JsonLocation location = valueLocations.get(p);
                if (location != null || p.isEmpty()) {
                    return location;
                }
                p = parentPath(p);
            }
        }

        /** Translates a Jackson binding error at {@code base} into a located one-line message. */
        private ConfigException translate(JsonMappingException e, String base, Set<String> callerKeys) {
            String path = child(base, pathOf(e.getPath()));
            if (e instanceof UnrecognizedPropertyException unknown) {
                String key = unknown.getPropertyName();
                List<String> known = new ArrayList<>();
                for (Object id : unknown.getKnownPropertyIds() == null ? List.of() : unknown.getKnownPropertyIds()) {
                    known.add(String.valueOf(id));
                }
                if (parentPath(path).equals(base)) {
                    callerKeys.stream().filter(k -> !known.contains(k)).forEach(known::add);
                }
                return withCause(unknownKey(path, key, known), e);
            }
            if (e instanceof InvalidTypeIdException typeId) {
                return withCause(typeError(path, typeId), e);
            }
            if (e instanceof ValueInstantiationException && e.getCause() instanceof ConfigException cause) {
                return locate(path, cause.getMessage(), e);
            }
            String original = firstLine(e.getOriginalMessage());
            if (original.startsWith("Missing required creator property")) {
                String parent = parentPath(path);
                Class<?> container = containerOf(e);
                if (container != null) {
                    // A misspelt required key shows up as missing: name the misspelling instead.
                    List<String> known = knownKeys(container);
                    for (String key : children.getOrDefault(parent, List.of())) {
                        if (!known.isEmpty() && !known.contains(key) && !key.equals("type")
                                && !(parent.equals(base) && callerKeys.contains(key))) {
                            return withCause(unknownKey(child(parent, key), key, known), e);
                        }
                    }
                }
                return withCause(error(keyOrValueLocation(parent), parent, "missing required key '"
                        + lastSegment(path) + "'; expected " + expected(path)), e);
            }
            JsonNode node = nodes.get(path);
            if (node != null) {
                String got = describe(node);
                if (e.getCause() instanceof InputCoercionException || original.contains("out of range")) {
                    got = got + ", which is out of range";
                }
                return withCause(error(valueLocations.get(path), path, "expected " + expected(path) + ", got " + got), e);
            }
            return withCause(error(valueLocation(path), path, original), e);
        }

        private ConfigException unknownKey(String path, String key, List<String> known) {
            StringBuilder message = new StringBuilder("unknown key ").append(Quote.single(key));
            Suggest.nearest(key, known).ifPresent(n -> message.append("; did you mean '").append(n).append("'?"));
            message.append(" (valid keys here: ").append(String.join(", ", known)).append(')');
            return error(keyOrValueLocation(path), path, message.toString());
        }

        /** Where the key of {@code path} is written, or else its value (or the nearest enclosing one). */
        private JsonLocation keyOrValueLocation(String path) {
            JsonLocation key = keyLocations.get(path);
            return key != null ? key : valueLocation(path);
        }

        private ConfigException typeError(String path, InvalidTypeIdException e) {
            String typePath = child(path, "type");
            JsonNode type = nodes.get(typePath);
            List<String> hiddenTypes = List.of("dense", "convolutional", "maxPooling");
            if (type == null) {
                return error(valueLocation(path), path, "missing key 'type'; expected one of "
                        + String.join(", ", hiddenTypes));
            }
            if (!type.isTextual()) {
                return error(valueLocations.get(typePath), typePath, "expected one of " + String.join(", ", hiddenTypes)
                        + ", got " + describe(type));
            }
            String id = type.asText();
            if (path.endsWith("outputLayer")) {
                return error(valueLocations.get(typePath), typePath, "the output layer's type is " + Quote.single(id)
                        + "; it must be 'output' (or leave the key out)");
            }
            StringBuilder message = new StringBuilder("unknown layer type ").append(Quote.single(id));
            Suggest.nearest(id, hiddenTypes).ifPresent(n -> message.append("; did you mean '").append(n).append("'?"));
            message.append(" (expected one of ").append(String.join(", ", hiddenTypes)).append(')');
            return error(valueLocations.get(typePath), typePath, message.toString());
        }

        /**
         * Places a validation message from the records (a {@link ConfigException}) at the key it is about: the
         * layer a network message starts with, then the first key of that object the message names.
         */
        private ConfigException locate(String objectPath, String message, Exception cause) {
            String path = objectPath;
            Matcher layer = LAYER_PREFIX.matcher(message);
            if (objectPath.endsWith("classifier.network") && layer.find()) {
                path = child(objectPath, layer.group(1));
            }
            for (String key : children.getOrDefault(path, List.of())) {
                if (Pattern.compile("\\b" + Pattern.quote(key) + "\\b").matcher(message).find()) {
                    path = child(path, key);
                    break;
                }
            }
            String text = message;
            int colon = text.indexOf(": ");
            if (colon > 0) {
                String prefix = text.substring(0, colon);
                if (!prefix.contains(" ") && ("." + path).contains("." + prefix)) {
                    text = text.substring(colon + 2);
                }
            }
            return withCause(error(valueLocation(path), path, text), cause);
        }

        private static ConfigException withCause(ConfigException e, Exception cause) {
            e.initCause(cause);
            return e;
        }

        /** The class of the object whose key the error is about, from the last reference of its path. */
        private static Class<?> containerOf(JsonMappingException e) {
            List<JsonMappingException.Reference> path = e.getPath();
            if (path.isEmpty() || path.get(path.size() - 1).getFrom() == null) {
                return null;
            }
            Object from = path.get(path.size() - 1).getFrom();
            return from instanceof Class<?> c ? c : from.getClass();
        }
    }

    /** "SOURCE:LINE:COLUMN: " for a location, or "SOURCE: " without one. */
    static String position(String source, JsonLocation location) {
        if (location == null || location.getLineNr() <= 0) {
            return source + ": ";
        }
        return source + ":" + location.getLineNr() + ":" + Math.max(1, location.getColumnNr()) + ": ";
    }

    private static String pathOf(Collection<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String lastSegment(String path) {
        int bracket = path.lastIndexOf('[');
        int dot = path.lastIndexOf('.');
        if (bracket > dot && path.endsWith("]")) {
            return path.substring(bracket);
        }
        return path.substring(dot + 1);
    }

    private static String parentPath(String path) {
        int bracket = path.lastIndexOf('[');
        int dot = path.lastIndexOf('.');
        int cut = Math.max(bracket > dot && path.endsWith("]") ? bracket : -1, dot);
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** {@code parent.key}, or {@code parent[0]} for an index; either side may be empty. */
    private static String child(String parent, String key) {
        if (parent.isEmpty()) {
            return key;
        }
        if (key.isEmpty()) {
            return parent;
        }
        return key.startsWith("[") ? parent + key : parent + "." + key;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addMixIn(OutputLayerSpec.class, OutputLayerMixin.class)
                .addMixIn(NetworkSpec.class, NetworkMixin.class)
                .build();
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** The reference forces the output layer's type to "output": the key may be left out. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = OutputLayerSpec.class)
    private interface OutputLayerMixin {
    }

    /** The reference's Vulkan tuning key {@code classifier.network.gpu} has no meaning here (noted). */
    @JsonIgnoreProperties({"gpu"})
    private interface NetworkMixin {
    }

    /** The keys a description class accepts, as Jackson's deserializer for it knows them (the {@code type} id excluded). */
    public static List<String> knownKeys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        try {
            DeserializationContext context = ((DefaultDeserializationContext) MAPPER.getDeserializationContext())
                    .createDummyInstance(MAPPER.getDeserializationConfig());
            JsonDeserializer<Object> deserializer = context.findContextualValueDeserializer(
                    MAPPER.constructType(type), null);
            if (deserializer instanceof BeanDeserializerBase bean) {
                bean.getKnownPropertyNames().forEach(name -> keys.add(String.valueOf(name)));
            }
        } catch (JsonProcessingException | RuntimeException e) {
            return List.of();
        }
        keys.remove("type");
        return keys;
    }

    /** A value in words, for "expected …, got …". */
    public static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "the string " + Quote.dbl(node.asText());
        }
        if (node.isIntegralNumber()) {
            return "the integer " + node.asText();
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isBoolean()) {
            return "the boolean " + node.asText();
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
