package io.richard.nd4j.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
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
import io.richard.api.spec.LayerSpec;
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
    private static final String MERGE = "<<";
    private static final Pattern NON_STANDARD = Pattern.compile("Non-standard token '([^']*)'");
    private static final Pattern FEATURE = Pattern.compile(":? ?enable `[^`]*` to allow");
    private static final Pattern CONSTRAINT = Pattern.compile(
            "^(.*?) \\((\\d+)\\) exceeds the maximum allowed \\((\\d+), from `StreamReadConstraints\\.getMax(\\w+)\\(\\)`\\)");
    private static final Pattern LONG_KEY = Pattern.compile("[^.\\[\\]]{" + (Quote.MAX_VALUE + 1) + ",}");
    private static final Pattern POSITION = Pattern.compile(":(\\d+):(\\d+): ");

    /** The most values aliases may add to a document: a "billion laughs" document would add billions. */
    public static final int MAX_ALIASED_VALUES = 100_000;
    /** The deepest values may nest: a model description nests 6 deep; reading is recursive. */
    public static final int MAX_DEPTH = 64;
    /** The most problems reported for one document (the first ones, in the order they are written). */
    public static final int MAX_PROBLEMS = 20;

    /**
     * What a YAML parser knows that JSON has not: anchors written on values ({@code &name}) and aliases to them
     * ({@code *name}). With it, a {@link Document} resolves aliases and merge keys ({@code <<: *name}).
     */
    public interface YamlNodes {
        /** The anchor written on the value at the parser's current token, or null. */
        String anchor(JsonParser parser);

        /** Whether the parser's current token, a string, is an alias (its text is then the anchor's name). */
        boolean alias(JsonParser parser);
    }

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
        return parse(parser, source, expectations, null);
    }

    /**
     * {@link #parse(JsonParser, String, Map)} for YAML: aliases are replaced by (copies of) the values their anchors
     * name, with the positions where those values were written, and the entries of merge keys ({@code <<: *name}
     * or {@code <<: [*a, *b]}) are added to their mapping where it does not set the key itself. Aliases may add
     * at most {@value #MAX_ALIASED_VALUES} values.
     *
     * @param yaml the parser's anchors and aliases; null for JSON
     */
    public static Document parse(JsonParser parser, String source, Map<String, String> expectations, YamlNodes yaml)
            throws JsonProcessingException {
        Document doc = new Document(source, expectations, yaml);
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
        JsonParser parser = null;
        try (JsonParser p = JSON.createParser(body)) {
            parser = p;
            return parse(p, source, expectations);
        } catch (JsonProcessingException e) {
            throw syntaxError(source, e, "JSON", parser == null ? null : parser.currentLocation());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the config: " + e.getMessage(), e);
        }
    }

    /** {@code SOURCE:LINE:COLUMN: JSON syntax error: …} for a parser's syntax error. */
    public static ConfigException syntaxError(String source, JsonProcessingException e, String format) {
        return syntaxError(source, e, format, null);
    }

    /**
     * {@link #syntaxError(String, JsonProcessingException, String)} placed at {@code where} (the parser's position)
     * when the error has no position of its own (the parser's limits).
     */
    public static ConfigException syntaxError(String source, JsonProcessingException e, String format,
                                              JsonLocation where) {
        JsonLocation location = e.getLocation() != null && e.getLocation().getLineNr() > 0 ? e.getLocation() : where;
        return new ConfigException(position(source, location) + format + " syntax error: "
                + plain(ModelJson.clean(e.getOriginalMessage())), e);
    }

    /**
     * A parser's message in the terms of the user's file, without the names of the parser's features and limits:
     * {@code Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow} becomes
     * "'NaN' is not a number JSON allows …", a nesting depth beyond {@code StreamReadConstraints}' becomes "the
     * values nest deeper than 1000 levels …".
     */
    static String plain(String message) {
        Matcher token = NON_STANDARD.matcher(message);
        if (token.find()) {
            return Quote.single(token.group(1)) + " is not a number JSON allows; write a finite number (NaN and"
                    + " infinities cannot be config values)";
        }
        Matcher limit = CONSTRAINT.matcher(message);
        if (limit.find()) {
            String max = String.format(Locale.ROOT, "%,d", Long.parseLong(limit.group(3)));
            return switch (limit.group(4)) {
                case "NestingDepth" -> "the values nest deeper than " + max + " levels (a config nests 6 deep);"
                        + " the file is not a config";
                case "NumberLength" -> "a number is longer than " + max + " characters";
                case "StringLength" -> "a string is longer than " + max + " characters";
                case "NameLength" -> "a key is longer than " + max + " characters";
                default -> "the file exceeds a limit of " + max + ": " + limit.group(1).toLowerCase(Locale.ROOT);
            };
        }
        return FEATURE.matcher(message).replaceAll("").replaceAll("`[^`]*`", "").trim();
    }

    /**
     * What the value at a path of a model description should be, in words, e.g. "a positive integer": worked out
     * from the description records ({@link DescriptionSchema}).
     */
    static String expected(String path) {
        return Schema.INSTANCE.expected(path);
    }

    /** The schema, made on first use (after {@link #MAPPER}). */
    private static final class Schema {
        static final DescriptionSchema INSTANCE = new DescriptionSchema(MAPPER);
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

    /**
     * One problem of a document: its message, the path it is about (problems at, above or below it are not
     * reported again) and the path to mend so that reading can go on (null: leave the key out, or stop).
     */
    private record Problem(ConfigException error, String subject, String mend) {
    }

    /** A parsed document: the tree and, for every path, where its key and its value were written. */
    public static final class Document {
        private final String source;
        private final Map<String, String> expectations;
        private final YamlNodes yaml;
        private JsonNode root;
        // Sorted, so that everything below a path is one range (what an alias or a merge copies).
        private final NavigableMap<String, JsonLocation> keyLocations = new TreeMap<>();
        private final NavigableMap<String, JsonLocation> valueLocations = new TreeMap<>();
        private final NavigableMap<String, JsonNode> nodes = new TreeMap<>();
        private final NavigableMap<String, List<String>> children = new TreeMap<>();
        /** The path of the value each anchor was written on. */
        private final Map<String, String> anchors = new HashMap<>();
        /** The anchors whose values are being read. */
        private final Set<String> open = new HashSet<>();
        private int aliased;
        private int depth;
        /** Problems found while parsing (nulls, duplicate keys, aliases), reported with the binding's. */
        private final List<ConfigException> parseProblems = new ArrayList<>();
        /** Paths whose problem is reported; problems that follow from it are not reported again. */
        private final Set<String> reported = new HashSet<>();

        private Document(String source, Map<String, String> expectations, YamlNodes yaml) {
            this.source = source;
            this.expectations = Map.copyOf(expectations);
            this.yaml = yaml;
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
         * @throws ConfigException the first problem, one located line naming the key and what was expected (a
         *                         config reports them all: {@link #model(String, Set, UnknownKeys, List, List)})
         */
        public ModelSpec model(String base, Set<String> callerKeys, UnknownKeys unknown, List<String> notes) {
            List<ConfigException> problems = new ArrayList<>();
            ModelSpec model = model(base, callerKeys, unknown, notes, problems);
            if (!problems.isEmpty()) {
                throw problems.get(0);
            }
            return model;
        }

        /**
         * {@link #model(String, Set, UnknownKeys, List)} that adds every problem of the document to
         * {@code problems} (those found while parsing too) and returns null if there is any; the network is
         * checked as a whole (shapes, output size) only when each part is valid.
         */
        public ModelSpec model(String base, Set<String> callerKeys, UnknownKeys unknown, List<String> notes,
                               List<ConfigException> problems) {
            takeParseProblems(problems);
            JsonNode node = base.isEmpty() ? root : nodes.get(base);
            if (node == null || !node.isObject()) {
                problems.add(error(valueLocation(base), base, "expected " + expected(base) + ", got "
                        + (node == null ? "nothing" : describe(node))));
                return null;
            }
            ObjectNode sections = ((ObjectNode) node).deepCopy();
            sections.remove(callerKeys);
            int before = problems.size();
            Sections bound = bind(base, sections, Sections.class, unknown, callerKeys, notes, problems);
            if (bound == null || problems.size() > before || !problems.isEmpty()) {
                return null;
            }
            ModelSpec model;
            try {
                model = new ModelSpec(bound.data(), bound.dataLoader(), bound.classifier());
            } catch (ConfigException e) {
                problems.add(locate(child(base, "classifier.network"), e.getMessage(), e).error());
                return null;
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
            List<ConfigException> problems = new ArrayList<>();
            T value = bind(path, type, problems);
            if (!problems.isEmpty()) {
                throw problems.get(0);
            }
            return value;
        }

        /** {@link #bind(String, Class)} that adds every problem to {@code problems} and returns null if any. */
        public <T> T bind(String path, Class<T> type, List<ConfigException> problems) {
            takeParseProblems(problems);
            JsonNode node = path.isEmpty() ? root : nodes.get(path);
            if (node == null) {
                problems.add(error(valueLocation(path), path, "missing; expected " + expected(path)));
                return null;
            }
            return bind(path, node, type, UnknownKeys.REJECT, Set.of(), new ArrayList<>(), problems);
        }

        /**
         * One exception for the problems, one line each in the order they are written in the file (at most
         * {@value #MAX_PROBLEMS}); nothing if there are none.
         */
        public void throwIfAny(List<ConfigException> problems) {
            if (problems.isEmpty()) {
                return;
            }
            List<ConfigException> sorted = new ArrayList<>(problems);
            sorted.sort(java.util.Comparator.comparingLong(this::order));
            if (sorted.size() == 1) {
                throw sorted.get(0);
            }
            if (sorted.size() > MAX_PROBLEMS) {
                int more = sorted.size() - MAX_PROBLEMS;
                sorted = new ArrayList<>(sorted.subList(0, MAX_PROBLEMS));
                sorted.add(new ConfigException(source + ": " + more + " more problem" + (more == 1 ? "" : "s")
                        + " not shown; fix these first"));
            }
            throw new ConfigException(sorted);
        }

        /** Where a problem's message says it is written, as one number that sorts by line, then column. */
        private long order(ConfigException problem) {
            String message = String.valueOf(problem.getMessage());
            if (message.startsWith(source)) {
                Matcher at = POSITION.matcher(message);
                if (at.region(source.length(), message.length()).lookingAt()) {
                    return Long.parseLong(at.group(1)) * 1_000_000L + Math.min(999_999, Long.parseLong(at.group(2)));
                }
            }
            return Long.MAX_VALUE;
        }

        private void takeParseProblems(List<ConfigException> problems) {
            problems.addAll(parseProblems);
            parseProblems.clear();
        }

        private <T> T bind(String base, JsonNode node, Class<T> type, UnknownKeys unknown, Set<String> callerKeys,
                           List<String> notes, List<ConfigException> problems) {
            JsonNode working = node;
            int before = problems.size();
            // Each round binds until the first problem, reports it and mends the tree where it was (a placeholder
            // of the right kind, or the unknown key left out), so the next round finds the next problem.
            for (int round = 0; round < 4 * MAX_PROBLEMS; round++) {
                try {
                    T value = MAPPER.treeToValue(working, type);
                    return problems.size() == before ? value : null;
                } catch (UnrecognizedPropertyException e) {
                    if (working == node) {
                        working = node.deepCopy();
                    }
                    String path = child(base, pathOf(e.getPath()));
                    if (unknown == UnknownKeys.REJECT || e.getPath().size() < 1) {
                        report(problems, translate(e, base, callerKeys, working));
                    } else {
                        // The C++ program keeps every key: leave this one out and bind again.
                        notes.add(position(keyOrValueLocation(path)) + path + ": unknown key "
                                + Quote.single(e.getPropertyName()) + " ignored");
                    }
                    if (e.getPath().isEmpty() || !remove(working, e.getPath())) {
                        return null;
                    }
                } catch (JsonMappingException e) {
                    if (working == node) {
                        working = node.deepCopy();
                    }
                    Problem problem = translate(e, base, callerKeys, working);
                    report(problems, problem);
                    if (problems.size() - before >= MAX_PROBLEMS + 1 || !mend(working, base, problem)) {
                        return null;
                    }
                } catch (JsonProcessingException e) {
                    problems.add(new ConfigException(source + ": " + firstLine(e.getOriginalMessage()), e));
                    return null;
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigException(source + ": " + firstLine(e.getMessage()), e));
                    return null;
                }
            }
            return null;
        }

        /** Adds a problem unless it follows from one already reported (at, above or below the same path). */
        private void report(List<ConfigException> problems, Problem problem) {
            for (String path : reported) {
                if (related(path, problem.subject())) {
                    return;
                }
            }
            reported.add(problem.subject());
            problems.add(problem.error());
        }

        private static boolean related(String a, String b) {
            return a.equals(b) || under(a, b) || under(b, a);
        }

        /** Whether {@code path} is below {@code parent}. */
        private static boolean under(String path, String parent) {
            return parent.isEmpty() || path.startsWith(parent + ".") || path.startsWith(parent + "[");
        }

        /**
         * Mends the tree where a problem is so that binding can go on: a valid placeholder of the kind expected
         * replaces the value (or fills in a missing key); false where nothing sensible can be put.
         */
        private boolean mend(JsonNode tree, String base, Problem problem) {
            String path = problem.mend();
            if (path == null || !under(path, base) && !path.equals(base) || path.equals(base)) {
                return false;
            }
            String relative = base.isEmpty() ? path : path.substring(base.length() + 1);
            String last = lastSegment(path);
            String parentPath = parentPath(relative);
            JsonNode parent = at(tree, parentPath);
            if (last.equals("min") || last.equals("max")) {
                return mendAt(tree, parentPath, placeholder(parentPath(path), "normalization"));   // both together
            }
            if (last.equals("type") && parent != null && parentPath.endsWith("outputLayer")) {
                return parent instanceof ObjectNode object && object.remove("type") != null;
            }
            if (last.equals("type") && parentPath.endsWith("optimizer")) {
                return mendAt(tree, parentPath, JsonNodeFactory.instance.objectNode().put("type", "sgd"));
            }
            if (last.equals("type") && parentPath.endsWith("schedule")) {
                return mendAt(tree, parentPath, JsonNodeFactory.instance.objectNode().put("type", "cosine"));
            }
            if (last.equals("type")) {
                return mendAt(tree, parentPath, placeholder(parentPath(path), "[layer]"));
            }
            JsonNode value = placeholder(path, last);
            return value != null && mendAt(tree, relative, value);
        }

        /** Puts {@code value} at the path {@code relative} of {@code tree} (replacing or adding it). */
        private static boolean mendAt(JsonNode tree, String relative, JsonNode value) {
            if (value == null) {
                return false;
            }
            if (relative.isEmpty()) {
                return false;
            }
            JsonNode parent = at(tree, parentPath(relative));
            String last = lastSegment(relative);
            if (last.startsWith("[") && parent instanceof ArrayNode array) {
                int index = Integer.parseInt(last.substring(1, last.length() - 1));
                if (index >= array.size()) {
                    return false;
                }
                array.set(index, value);
                return true;
            }
            if (parent instanceof ObjectNode object) {
                if (value.equals(object.get(last))) {
                    return false;                                    // no progress: the same problem again
                }
                object.set(last, value);
                return true;
            }
            return false;
        }

        /** The node at a path like {@code classifier.network.hiddenLayers[1]} below {@code tree}, or null. */
        private static JsonNode at(JsonNode tree, String relative) {
            JsonNode node = tree;
            if (relative.isEmpty()) {
                return node;
            }
            Matcher segment = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]").matcher(relative);
            while (segment.find() && node != null) {
                node = segment.group(1) != null ? node.get(segment.group(1)) : node.get(Integer.parseInt(segment.group(2)));
            }
            return node;
        }

        /** A valid value for the key {@code last} at {@code path}, or null if none is known. */
        private JsonNode placeholder(String path, String last) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            String parent = lastSegment(parentPath(path));
            switch (last) {
                case "normalization":
                    return f.objectNode().put("min", 0).put("max", 1);
                case "shape":
                    return f.arrayNode().add(1).add(1).add(1);
                case "kernelSize":
                case "regionSize":
                    return f.arrayNode().add(1).add(1);
                case "classes":
                    return f.arrayNode().add("0");
                case "hiddenLayers":
                    return f.arrayNode();
                case "[layer]":
                    ObjectNode layer = f.objectNode().put("type", "maxPooling");
                    layer.set("regionSize", f.arrayNode().add(1).add(1));
                    return layer;
                case "outputLayer":
                    return f.objectNode().put("size", 1).put("learnRate", 0.0);
                case "hyperparams":
                    return f.objectNode().put("epochs", 0).put("batchSize", 1).put("miniBatchSize", 1);
                case "dataLoader":
                    return f.objectNode().put("fetchSize", 1);
                case "learnRateDecay":
                    return f.numberNode(1.0);
                default:
                    break;
            }
            if (last.startsWith("[")) {
                if (parent.equals("hiddenLayers")) {
                    return placeholder(path, "[layer]");
                }
                if (parent.equals("classes")) {
                    return f.textNode("\u0000placeholder " + path);
                }
            }
            return switch (expected(path)) {
                case "a positive integer" -> f.numberNode(1);
                case "an integer >= 0", "an integer" -> f.numberNode(0);
                case "a number" -> f.numberNode(0.0);
                case "true or false" -> f.booleanNode(false);
                case "a path (a string)", "a class label" -> f.textNode("placeholder");
                default -> null;
            };
        }

        /** Removes the key a mapping error's path ends with from a tree; false if it is not there. */
        private static boolean remove(JsonNode tree, List<JsonMappingException.Reference> path) {
            JsonNode node = tree;
            for (int i = 0; i < path.size() - 1 && node != null; i++) {
                JsonMappingException.Reference reference = path.get(i);
                node = reference.getFieldName() != null ? node.get(reference.getFieldName())
                        : node.get(reference.getIndex());
            }
            String key = path.get(path.size() - 1).getFieldName();
            return node instanceof ObjectNode object && key != null && object.remove(key) != null;
        }

        String expected(String path) {
            String words = expectations.get(path);
            return words != null ? words : DescriptionReader.expected(path);
        }

        /**
         * Reads the value at the parser's current token, recording locations. A null or a duplicate key is a
         * problem (reported with the others; the key is left out); a YAML alias is the value of its anchor.
         */
        private JsonNode value(JsonParser p, String path) throws IOException {
            JsonLocation location = p.currentTokenLocation();
            JsonToken token = p.currentToken();
            if (yaml != null && token == JsonToken.VALUE_STRING && yaml.alias(p)) {
                return alias(p.getText(), path, location);
            }
            String anchor = yaml == null ? null : yaml.anchor(p);
            if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && ++depth > MAX_DEPTH) {
                throw error(location, path, "the values nest deeper than " + MAX_DEPTH + " levels (a config nests 6"
                        + " deep); the file is not a config");
            }
            if (anchor != null) {
                open.add(anchor);                                    // an alias inside this value cannot name it
            }
            try {
                return value(p, path, location, token, anchor);
            } finally {
                if (anchor != null) {
                    open.remove(anchor);
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth--;
                }
            }
        }

        private JsonNode value(JsonParser p, String path, JsonLocation location, JsonToken token, String anchor)
                throws IOException {
            valueLocations.put(path, location);
            JsonNodeFactory f = JsonNodeFactory.instance;
            JsonNode node;
            switch (token) {
                case START_OBJECT -> node = object(p, path, f);
                case START_ARRAY -> {
                    ArrayNode array = f.arrayNode();
                    int index = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode item = value(p, path + "[" + index + "]");
                        if (item == null) {
                            item = f.nullNode();                     // reported; keeps the indices as written
                        }
                        array.add(item);
                        index++;
                    }
                    node = array;
                }
                case VALUE_STRING -> node = TextNode.valueOf(p.getText());
                case VALUE_NUMBER_INT -> node = switch (p.getNumberType()) {
                    case INT -> IntNode.valueOf(p.getIntValue());
                    case LONG -> LongNode.valueOf(p.getLongValue());
                    default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> {
                    // The C++ program reads its JSON with nlohmann::json, which gives 320.0 where an integer is
                    // wanted (and 320 for 320.5, refused here): a whole number written with a fraction is that integer.
                    double v = p.getDoubleValue();
                    node = v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE ? IntNode.valueOf((int) v)
                            : DoubleNode.valueOf(v);
                }
                case VALUE_TRUE, VALUE_FALSE -> node = BooleanNode.valueOf(token == JsonToken.VALUE_TRUE);
                case VALUE_NULL -> {
                    problem(error(keyLocations.getOrDefault(path, location), path,
                            "no value (null); expected " + expected(path)
                            + (keyLocations.containsKey(path) ? ", or leave the key out" : "")), path);
                    valueLocations.remove(path);
                    return null;
                }
                default -> {
                    problem(error(location, path, "unsupported value; expected " + expected(path)), path);
                    valueLocations.remove(path);
                    return null;
                }
            }
            if (CLASS_LABEL.matcher(path).find() && node.isValueNode() && !node.isTextual()) {
                node = TextNode.valueOf(p.getText());      // classes: [0, 1, 2] means the labels "0", "1", "2"
            }
            nodes.put(path, node);
            if (anchor != null) {
                anchors.put(anchor, path);
            }
            return node;
        }

        /** A mapping: its keys in order, duplicates and nulls reported and left out, merge keys applied. */
        private ObjectNode object(JsonParser p, String path, JsonNodeFactory f) throws IOException {
            ObjectNode object = f.objectNode();
            List<String> keys = new ArrayList<>();
            children.put(path, keys);
            List<String> merges = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                String keyPath = child(path, key);
                JsonLocation keyLocation = p.currentTokenLocation();
                if (object.has(key) || keys.contains(key) || yaml != null && key.equals(MERGE) && !merges.isEmpty()) {
                    JsonLocation first = keyLocations.get(keyPath);
                    problem(error(keyLocation, keyPath, "duplicate key " + Quote.single(key)
                            + (first == null ? "" : " (first written at line " + first.getLineNr() + ")")), null);
                    p.nextToken();
                    p.skipChildren();
                    continue;
                }
                p.nextToken();
                if (yaml != null && key.equals(MERGE)) {
                    merges.addAll(mergeSources(p, keyPath, keyLocation));
                    continue;
                }
                keyLocations.put(keyPath, keyLocation);
                keys.add(key);
                JsonNode value = value(p, keyPath);
                if (value != null) {
                    object.set(key, value);
                } else {
                    keys.remove(key);
                }
            }
            // Merged entries come after the mapping's own, which they never replace; earlier sources win.
            for (String source : merges) {
                JsonNode merged = nodes.get(source);
                for (String key : children.getOrDefault(source, List.of())) {
                    if (!object.has(key) && merged.has(key)) {
                        object.set(key, copyBelow(child(source, key), child(path, key), merged.get(key)));
                        keys.add(key);
                    }
                }
            }
            return object;
        }

        /** The paths of the mappings a merge key's value names: an alias of a mapping, or a list of them. */
        private List<String> mergeSources(JsonParser p, String keyPath, JsonLocation keyLocation) throws IOException {
            JsonNode value = value(p, keyPath);
            List<String> sources = new ArrayList<>();
            if (value != null && value.isObject()) {
                sources.add(keyPath);
            } else if (value != null && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    if (!value.get(i).isObject()) {
                        sources.clear();
                        break;
                    }
                    sources.add(keyPath + "[" + i + "]");
                }
            }
            if (sources.isEmpty() && value != null) {
                problem(error(keyLocation, keyPath, "the merge key << takes a mapping or a list of mappings (e.g."
                        + " <<: *defaults), got " + describe(value)), keyPath);
            }
            return sources;
        }

        /**
         * The value of an alias: a copy of the value its anchor was written on, with that value's positions, so
         * a problem inside it is shown where it is written; the alias itself is the value's position.
         */
        private JsonNode alias(String name, String path, JsonLocation location) {
            String anchored = anchors.get(name);
            if (open.contains(name)) {
                problem(error(location, path, "the alias *" + Quote.text(name) + " is inside the value its anchor &"
                        + Quote.text(name) + " is written on"), path);
                return null;
            }
            if (anchored == null) {
                valueLocations.put(path, location);
                problem(error(location, path, "the alias *" + Quote.text(name) + " names no anchor &"
                        + Quote.text(name) + " written before it"), path);
                valueLocations.remove(path);
                return null;
            }
            valueLocations.put(path, location);
            JsonNode value = nodes.get(anchored);
            if (CLASS_LABEL.matcher(path).find() && value.isValueNode() && !value.isTextual()) {
                value = TextNode.valueOf(value.asText());                 // a label is the text written
            }
            return copyBelow(anchored, path, value);
        }

        /** {@code value} (at {@code from}) for {@code to}, with the positions of everything below it. */
        private JsonNode copyBelow(String from, String to, JsonNode value) {
            int values = 0;
            for (String key : nodes.subMap(from, true, from + "\uffff", true).keySet()) {
                if (key.equals(from) || under(key, from)) {
                    values++;
                }
            }
            aliased += values;
            if (aliased > MAX_ALIASED_VALUES) {
                throw error(valueLocations.getOrDefault(to, valueLocations.get(from)), to, "aliases add more than "
                        + String.format(Locale.ROOT, "%,d", MAX_ALIASED_VALUES) + " values to the document (a config"
                        + " holds a few hundred); is it a \"billion laughs\" document?");
            }
            // The values are shared, not copied: the document's tree is only read (binding mends a copy of it).
            copyRange(nodes, from, to, v -> v);
            copyRange(valueLocations, from, to, l -> l);
            copyRange(keyLocations, from, to, l -> l);
            copyRange(children, from, to, ArrayList::new);
            nodes.put(to, value);
            return value;
        }

        /** Copies the entries at and below {@code from} to the same places below {@code to}. */
        private static <V> void copyRange(NavigableMap<String, V> map, String from, String to,
                                          java.util.function.UnaryOperator<V> copy) {
            Map<String, V> added = new HashMap<>();
            for (Map.Entry<String, V> entry : map.subMap(from, true, from + "\uffff", true).entrySet()) {
                String key = entry.getKey();
                if (key.equals(from) || under(key, from)) {
                    added.put(to + key.substring(from.length()), copy.apply(entry.getValue()));
                }
            }
            map.putAll(added);
        }

        /** Records a problem found while parsing; {@code path}, if given, is not reported again. */
        private void problem(ConfigException error, String path) {
            parseProblems.add(error);
            if (path != null) {
                reported.add(path);
            }
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
            return new ConfigException(position(location) + (path.isEmpty() ? "" : shown(path) + ": ") + message);
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

        /**
         * Translates a Jackson binding error at {@code base} into a located one-line message, the path it is about
         * and where to mend the tree ({@code tree}, the value at {@code base} being bound) to go on.
         */
        private Problem translate(JsonMappingException e, String base, Set<String> callerKeys, JsonNode tree) {
            String path = child(base, pathOf(e.getPath()));
            if (e instanceof UnrecognizedPropertyException unknown) {
                String key = unknown.getPropertyName();
                List<String> known = new ArrayList<>();
                for (Object id : unknown.getKnownPropertyIds() == null ? List.of() : unknown.getKnownPropertyIds()) {
                    known.add(String.valueOf(id));
                }
                if (parentPath(path).equals(base)) {                    // sorted: a Set.of has no fixed order
                    callerKeys.stream().filter(k -> !known.contains(k)).sorted().forEach(known::add);
                }
                return new Problem(withCause(unknownKey(path, key, known), e), path, null);
            }
            if (e instanceof InvalidTypeIdException typeId) {
                return new Problem(withCause(typeError(path, typeId), e), path, child(path, "type"));
            }
            if (e instanceof ValueInstantiationException && e.getCause() instanceof ConfigException cause) {
                return locate(path, cause.getMessage(), e);
            }
            String original = firstLine(e.getOriginalMessage());
            if (original.startsWith("Missing required creator property")) {
                String parent = parentPath(path);
                Class<?> container = containerOf(e);
                if (container != null) {
                    // A misspelt required key shows up as missing: name the misspelling instead (once: if it was
                    // reported as an unknown key and left out, the missing key is not reported again).
                    List<String> known = knownKeys(container);
                    JsonNode written = at(tree, parent.equals(base) ? "" : parent.substring(base.isEmpty() ? 0
                            : base.length() + 1));
                    for (String key : children.getOrDefault(parent, List.of())) {
                        if (!known.isEmpty() && !known.contains(key) && !key.equals("type")
                                && !(parent.equals(base) && callerKeys.contains(key))
                                && (written != null && written.has(key) || reported.contains(child(parent, key)))) {
                            return new Problem(withCause(unknownKey(child(parent, key), key, known), e),
                                    child(parent, key), path);
                        }
                    }
                }
                return new Problem(withCause(error(keyOrValueLocation(parent), parent, "missing required key '"
                        + lastSegment(path) + "'; expected " + expected(path)), e), path, path);
            }
            JsonNode node = nodes.get(path);
            if (node != null) {
                String got = describe(node);
                if (e.getCause() instanceof InputCoercionException || original.contains("out of range")) {
                    got = got + ", which is out of range";
                }
                return new Problem(withCause(error(valueLocations.get(path), path, "expected " + expected(path)
                        + ", got " + got), e), path, path);
            }
            return new Problem(withCause(error(valueLocation(path), path, original), e), path, path);
        }

        private ConfigException unknownKey(String path, String key, List<String> known) {
            StringBuilder message = new StringBuilder("unknown key ").append(Quote.single(key));
            Suggest.nearest(key, known).ifPresent(n -> message.append("; did you mean '").append(n).append("'?"));
            message.append(known.isEmpty() ? " (no key but type is valid here)"
                    : " (valid keys here: " + String.join(", ", known) + ")");
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
            Class<?> family = e.getBaseType() == null ? LayerSpec.class : e.getBaseType().getRawClass();
            boolean layer = LayerSpec.class.isAssignableFrom(family);
            List<String> hiddenTypes = layer ? List.of("dense", "convolutional", "maxPooling")
                    : DescriptionSchema.types(family);
            JsonNode written = nodes.get(path);
            if (!layer && written != null && !written.isObject()) {
                return error(valueLocations.get(path), path, "expected " + expected(path) + ", got "
                        + describe(written));
            }
            if (type == null) {
                return error(valueLocation(path), path, "missing key 'type'; expected one of "
                        + String.join(", ", hiddenTypes));
            }
            if (!type.isTextual()) {
                return error(valueLocations.get(typePath), typePath, "expected one of " + String.join(", ", hiddenTypes)
                        + ", got " + describe(type));
            }
            String id = type.asText();
            if (layer && path.endsWith("outputLayer")) {
                return error(valueLocations.get(typePath), typePath, "the output layer's type is " + Quote.single(id)
                        + "; it must be 'output' (or leave the key out)");
            }
            StringBuilder message = new StringBuilder(layer ? "unknown layer type " : "unknown " + lastSegment(path)
                    + " type ").append(Quote.single(id));
            Suggest.nearest(id, hiddenTypes).ifPresent(n -> message.append("; did you mean '").append(n).append("'?"));
            message.append(" (expected one of ").append(String.join(", ", hiddenTypes)).append(')');
            return error(valueLocations.get(typePath), typePath, message.toString());
        }

        /**
         * Places a validation message from the records (a {@link ConfigException}) at the key it is about: the
         * layer a network message starts with, then the first key of that object the message names.
         */
        private Problem locate(String objectPath, String message, Exception cause) {
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
            return new Problem(withCause(error(valueLocation(path), path, text), cause), path, path);
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

    /** A key path for a message: a key longer than a quoted value is shortened like one. */
    static String shown(String path) {
        Matcher key = LONG_KEY.matcher(path);
        StringBuilder shown = new StringBuilder();
        while (key.find()) {
            key.appendReplacement(shown, Matcher.quoteReplacement(Quote.text(key.group())));
        }
        key.appendTail(shown);
        return shown.length() > 4 * Quote.MAX_VALUE ? Quote.text(shown, 4 * Quote.MAX_VALUE) : shown.toString();
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

    static String lastSegment(String path) {
        int bracket = path.lastIndexOf('[');
        int dot = path.lastIndexOf('.');
        if (bracket > dot && path.endsWith("]")) {
            return path.substring(bracket);
        }
        return path.substring(dot + 1);
    }

    static String parentPath(String path) {
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
