package io.richard.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.richard.api.ConfigException;
import io.richard.api.spec.ClassifierSpec;
import io.richard.api.spec.DataLoaderSpec;
import io.richard.api.spec.DataSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OutputLayerSpec;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a training config, YAML or JSON, strictly.
 *
 * <p>The keys are the reference's ({@code data}, {@code dataLoader}, {@code classifier.network}), so a reference
 * JSON config loads unchanged (including the trailing commas of the reference README's examples), plus the
 * optional {@code training} section of {@link TrainingOptions}. A document whose first character is
 * <code>{</code> is read as JSON (tabs allowed, trailing commas and comments tolerated), anything else as YAML.
 *
 * <p>Nothing is guessed: an unknown key, a value of the wrong type (a string or a fraction for an integer), a
 * missing required key, a {@code null} and a duplicate key are errors. Each error is one line of the form
 * {@code FILE:LINE:COLUMN: path.to.key: what is wrong; expected …}, and an unknown key comes with the nearest
 * valid one. The reader parses the document itself into a tree that remembers where every key and value was
 * written, binds the tree with Jackson, and translates Jackson's errors back to those positions.
 *
 * <p>Deliberate differences from the reference's reader: numbers are not truncated to integers, strings are
 * not read as 0, unknown keys are not kept, and {@code classifier.network.gpu} (Vulkan tuning) is ignored with
 * a warning. Class labels written as bare numbers or words in YAML ({@code classes: [0, 1, yes]}) are taken as
 * the text written.
 */
public final class ConfigReader {

    private static final ObjectMapper MAPPER = strictMapper();
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final Pattern CLASS_LABEL = Pattern.compile("data\\.classes\\[\\d+]");
    private static final Pattern LAYER_PREFIX = Pattern.compile("^(hiddenLayers\\[\\d+]|outputLayer)(?=: )");

    private ConfigReader() {
    }

    /**
     * Reads a config file; relative paths in its {@code training} section are resolved against the file's
     * directory.
     *
     * @throws ConfigException one line naming the file, line, column, key and what was expected
     */
    public static TrainingConfig read(Path file) {
        if (Files.isDirectory(file)) {
            throw new ConfigException(file + ": is a directory, not a config file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such config file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not a text file (expected a YAML or JSON config in UTF-8)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the config file: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir);
    }

    /**
     * Reads a config from text.
     *
     * @param source  the name used in messages (the file name)
     * @param baseDir the directory that relative paths in the {@code training} section are resolved against
     */
    public static TrainingConfig parse(String text, String source, Path baseDir) {
        Document doc = Document.parse(text, source);
        ConfigFile config;
        try {
            config = MAPPER.treeToValue(doc.root, ConfigFile.class);
        } catch (JsonMappingException e) {
            throw doc.translate(e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + firstLine(e.getMessage()), e);
        }
        ModelSpec model;
        try {
            model = new ModelSpec(config.data(), config.dataLoader(), config.classifier());
        } catch (ConfigException e) {
            throw doc.locate("classifier.network", e.getMessage(), e);
        }
        List<String> warnings = new ArrayList<>();
        if (doc.nodes.containsKey("classifier.network.gpu")) {
            warnings.add(doc.position(doc.keyLocations.get("classifier.network.gpu"))
                    + "classifier.network.gpu is ignored: it tunes the reference's Vulkan GPU path");
        }
        TrainingOptions training = config.training() == null ? TrainingOptions.defaults()
                : config.training().resolve(baseDir);
        return new TrainingConfig(Path.of(source), model, training, warnings);
    }

    /** What the value at a config path should be, in words, e.g. "a positive integer". */
    static String expected(String path) {
        switch (path) {
            case "":
                return "a mapping with the keys data, dataLoader, classifier (and optionally training)";
            case "data":
                return "a mapping with classes, shape and normalization";
            case "dataLoader":
                return "a mapping with fetchSize";
            case "classifier":
                return "a mapping with network";
            case "training":
                return "a mapping with any of data, test, seed, shuffle, resize, limit";
            case "training.data":
            case "training.test":
                return "a path (a string)";
            case "training.seed":
                return "an integer";
            case "training.shuffle":
            case "training.resize":
                return "true or false";
            case "training.limit":
                return "a positive integer";
            default:
                break;
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

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String firstLine(String message) {
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

    /** The reference's Vulkan tuning key {@code classifier.network.gpu} has no meaning here (warned about). */
    @JsonIgnoreProperties({"gpu"})
    private interface NetworkMixin {
    }

    /** The whole file: the reference's three sections and richard's optional {@code training} section. */
    record ConfigFile(DataSpec data, DataLoaderSpec dataLoader, ClassifierSpec classifier, TrainingSection training) {

        @JsonCreator
        static ConfigFile of(@JsonProperty(value = "data", required = true) DataSpec data,
                             @JsonProperty(value = "dataLoader", required = true) DataLoaderSpec dataLoader,
                             @JsonProperty(value = "classifier", required = true) ClassifierSpec classifier,
                             @JsonProperty("training") TrainingSection training) {
            return new ConfigFile(data, dataLoader, classifier, training);
        }
    }

    /** The {@code training} section as written; see {@link TrainingOptions} for the meaning and defaults. */
    record TrainingSection(String data, String test, Long seed, Boolean shuffle, Boolean resize, Integer limit) {

        @JsonCreator
        static TrainingSection of(@JsonProperty("data") String data,
                                  @JsonProperty("test") String test,
                                  @JsonProperty("seed") Long seed,
                                  @JsonProperty("shuffle") Boolean shuffle,
                                  @JsonProperty("resize") Boolean resize,
                                  @JsonProperty("limit") Integer limit) {
            if (limit != null && limit <= 0) {
                throw new ConfigException("training.limit must be a positive integer, got " + limit);
            }
            if (data != null && data.isBlank()) {
                throw new ConfigException("training.data is empty; expected a path");
            }
            if (test != null && test.isBlank()) {
                throw new ConfigException("training.test is empty; expected a path");
            }
            return new TrainingSection(data, test, seed, shuffle, resize, limit);
        }

        TrainingOptions resolve(Path baseDir) {
            return new TrainingOptions(
                    Optional.ofNullable(data).map(p -> resolvePath(baseDir, p)),
                    Optional.ofNullable(test).map(p -> resolvePath(baseDir, p)),
                    seed == null ? 0 : seed,
                    shuffle != null && shuffle,
                    resize != null && resize,
                    limit == null ? OptionalInt.empty() : OptionalInt.of(limit));
        }

        private static Path resolvePath(Path baseDir, String path) {
            Path p = path.equals("~") || path.startsWith("~/")
                    ? Path.of(System.getProperty("user.home")).resolve(path.substring(Math.min(2, path.length())))
                    : Path.of(path);
            return p.isAbsolute() || baseDir == null ? p.normalize() : baseDir.resolve(p).normalize();
        }
    }

    /** A parsed document: the tree and, for every path, where its key and its value were written. */
    private static final class Document {
        private final String source;
        private JsonNode root;
        private final Map<String, JsonLocation> keyLocations = new HashMap<>();
        private final Map<String, JsonLocation> valueLocations = new HashMap<>();
        private final Map<String, JsonNode> nodes = new HashMap<>();
        private final Map<String, List<String>> children = new LinkedHashMap<>();

        private Document(String source) {
            this.source = source;
        }

        static Document parse(String text, String source) {
            Document doc = new Document(source);
            String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
            boolean json = body.stripLeading().startsWith("{");
            try (JsonParser parser = json ? JSON.createParser(body) : YAML.createParser(body)) {
                JsonToken first = parser.nextToken();
                if (first == null) {
                    throw new ConfigException(source + ": the config is empty; expected " + expected(""));
                }
                doc.root = doc.value(parser, "");
                if (!doc.root.isObject()) {
                    throw doc.error(doc.valueLocations.get(""), "", "expected " + expected("")
                            + ", got " + describe(doc.root));
                }
                if (parser.nextToken() != null) {
                    throw doc.error(parser.currentTokenLocation(), "",
                            "more than one document in the file; expected a single config");
                }
            } catch (ConfigException e) {
                throw e;
            } catch (JsonProcessingException e) {
                throw doc.syntaxError(e, json);
            } catch (IOException e) {
                throw new ConfigException(source + ": cannot read the config: " + e.getMessage(), e);
            }
            return doc;
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
                            throw error(p.currentTokenLocation(), keyPath, "duplicate key '" + key
                                    + "' (first written at line " + keyLocations.get(keyPath).getLineNr() + ")");
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
            if (CLASS_LABEL.matcher(path).matches() && node.isValueNode() && !node.isTextual()) {
                node = TextNode.valueOf(p.getText());      // classes: [0, 1, 2] means the labels "0", "1", "2"
            }
            nodes.put(path, node);
            return node;
        }

        private ConfigException syntaxError(JsonProcessingException e, boolean json) {
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                String context = yaml.getContext() == null ? "" : " " + yaml.getContext().trim();
                String where = yaml.getContextMark() == null || yaml.getContext() == null ? ""
                        : " (started at line " + (yaml.getContextMark().getLine() + 1) + ", column "
                                + (yaml.getContextMark().getColumn() + 1) + ")";
                return new ConfigException(source + ":" + (yaml.getProblemMark().getLine() + 1) + ":"
                        + (yaml.getProblemMark().getColumn() + 1) + ": YAML syntax error" + context + where + ": "
                        + firstLine(yaml.getProblem()), e);
            }
            return new ConfigException(position(e.getLocation()) + (json ? "JSON" : "YAML") + " syntax error: "
                    + firstLine(e.getOriginalMessage()), e);
        }

        /** "FILE:LINE:COLUMN: " for a location, or "FILE: " without one. */
        String position(JsonLocation location) {
            if (location == null || location.getLineNr() <= 0) {
                return source + ": ";
            }
            return source + ":" + location.getLineNr() + ":" + Math.max(1, location.getColumnNr()) + ": ";
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

        /** Translates a Jackson binding error into a located one-line message. */
        ConfigException translate(JsonMappingException e) {
            String path = pathOf(e.getPath());
            if (e instanceof UnrecognizedPropertyException unknown) {
                String key = unknown.getPropertyName();
                List<String> known = new ArrayList<>();
                for (Object id : unknown.getKnownPropertyIds() == null ? List.of() : unknown.getKnownPropertyIds()) {
                    known.add(String.valueOf(id));
                }
                if (parentPath(path).isEmpty() && !known.contains("training")) {
                    known.add("training");
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
                        if (!known.isEmpty() && !known.contains(key) && !key.equals("type")) {
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
            StringBuilder message = new StringBuilder("unknown key '").append(key).append('\'');
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
                return error(valueLocations.get(typePath), typePath, "the output layer's type is '" + id
                        + "'; it must be 'output' (or leave the key out)");
            }
            StringBuilder message = new StringBuilder("unknown layer type '").append(id).append('\'');
            Suggest.nearest(id, hiddenTypes).ifPresent(n -> message.append("; did you mean '").append(n).append("'?"));
            message.append(" (expected one of ").append(String.join(", ", hiddenTypes)).append(')');
            return error(valueLocations.get(typePath), typePath, message.toString());
        }

        /**
         * Places a validation message from the records (a {@link ConfigException}) at the key it is about: the
         * layer a network message starts with, then the first key of that object the message names.
         */
        ConfigException locate(String objectPath, String message, Exception cause) {
            String path = objectPath;
            Matcher layer = LAYER_PREFIX.matcher(message);
            if (objectPath.equals("classifier.network") && layer.find()) {
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
    }

    /** The keys a config class accepts, as Jackson's deserializer for it knows them (the {@code type} id excluded). */
    static List<String> knownKeys(Class<?> type) {
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
    static String describe(JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            return "the string \"" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + "\"";
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
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
