package io.richard.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.richard.api.ConfigException;
import io.richard.api.DataException;
import io.richard.api.spec.EarlyStoppingSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.io.DescriptionReader;
import io.richard.nd4j.io.DescriptionReader.Document;
import io.richard.nd4j.io.DescriptionReader.UnknownKeys;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * Reads a training config, YAML or JSON, strictly.
 *
 * <p>The keys are the reference's ({@code data}, {@code dataLoader}, {@code classifier.network}), so a reference
 * JSON config loads unchanged (including the trailing commas of the reference README's examples), plus the
 * optional {@code training} section of {@link TrainingOptions}. A document whose first character is
 * <code>{</code> is read as JSON (tabs allowed, trailing commas and comments tolerated), anything else as YAML.
 *
 * <p>The model description is read by {@link DescriptionReader}, the same reading as the config inside a model
 * archive or a network file of the C++ program, with the same messages. Nothing is guessed: an unknown key, a
 * value of the wrong type (a string or a fraction for an integer), a missing required key, a {@code null} and a
 * duplicate key are errors. Each error is one line of the form {@code FILE:LINE:COLUMN: path.to.key: what is
 * wrong; expected …}, and an unknown key comes with the nearest valid one.
 *
 * <p>Deliberate differences from the reference's reader: numbers are not truncated to integers, strings are
 * not read as 0, unknown keys are not kept, and {@code classifier.network.gpu} (Vulkan tuning) is ignored with
 * a warning. Class labels written as bare numbers or words in YAML ({@code classes: [0, 1, yes]}) are taken as
 * the text written.
 */
public final class ConfigReader {

    private static final YAMLFactory YAML = new AnchoredYamlFactory();
    /** The most a config may hold: far more than any config needs, and a bound on what an endless input costs. */
    static final int MAX_CONFIG_BYTES = 16 << 20;

    /** The section richard adds to the reference's config, read here rather than as part of the model. */
    private static final String TRAINING = "training";
    /** How to train on Apache Spark ({@code --spark}), read here too. */
    private static final String SPARK = "spark";

    /** What the values of the document's root and of the {@code training} section should be, in words. */
    private static final Map<String, String> EXPECTATIONS = Map.ofEntries(
            Map.entry("", "a mapping with the keys data, dataLoader, classifier (and optionally training, spark)"),
            Map.entry("training", "a mapping with any of data, test, seed, shuffle, resize, limit, testLimit,"
                    + " earlyStopping"),
            Map.entry("training.earlyStopping", "a mapping with patience and metric"),
            Map.entry("training.earlyStopping.patience", "an integer >= 0"),
            Map.entry("training.earlyStopping.metric", "testAccuracy or testCost"),
            Map.entry("spark", "a mapping with any of averageEvery, partitions, cache, conf"),
            Map.entry("spark.averageEvery", "a positive integer (mini-batches each partition trains between two averages)"),
            Map.entry("spark.partitions", "a positive integer"),
            Map.entry("spark.cache", "memory, serialized or none"),
            Map.entry("spark.conf", "a mapping of Spark settings, e.g. spark.executor.memory: 4g"),
            Map.entry("training.data", "a path (a string)"),
            Map.entry("training.test", "a path (a string)"),
            Map.entry("training.seed", "an integer"),
            Map.entry("training.shuffle", "true or false"),
            Map.entry("training.resize", "true or false"),
            Map.entry("training.limit", "a positive integer"),
            Map.entry("training.testLimit", "a positive integer"));

    private ConfigReader() {
    }

    /**
     * Reads a config file; relative paths in its {@code training} section are resolved against the file's
     * directory.
     *
     * @throws ConfigException one line naming the file, line, column, key and what was expected
     */
    public static TrainingConfig read(Path file) {
        Input input;
        try {
            input = Input.open(file, "config file");
        } catch (DataException e) {
            throw new ConfigException(e.getMessage(), e);                 // missing, a directory, unreadable
        }
        try (input) {
            return read(input);
        }
    }

    /**
     * Reads a config from an input read once: a file, a pipe or standard input, at most
     * {@value #MAX_CONFIG_BYTES} bytes. Relative paths in the {@code training} section are resolved against the
     * folder of a config file, and against the working directory for anything else.
     */
    static TrainingConfig read(Input input) {
        for (byte b : input.head()) {
            if (b == 0) {
                throw new ConfigException(input.name() + ": not a text file (expected a YAML or JSON config in UTF-8)");
            }
        }
        byte[] bytes = input.readAll(MAX_CONFIG_BYTES, "a config", "a config is a few KB of YAML or JSON");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(input.name() + ": not a text file (expected a YAML or JSON config in UTF-8)");
        }
        Path dir = input.regularFile().map(f -> f.toAbsolutePath().getParent())
                .orElse(Path.of("").toAbsolutePath());
        return parse(text, input.name(), dir);
    }

    /**
     * Reads a config from text.
     *
     * @param source  the name used in messages (the file name)
     * @param baseDir the directory that relative paths in the {@code training} section are resolved against
     */
    public static TrainingConfig parse(String text, String source, Path baseDir) {
        Document doc = document(text, source);
        List<String> warnings = new ArrayList<>();
        List<ConfigException> problems = new ArrayList<>();
        ModelSpec model = doc.model("", Set.of(TRAINING, SPARK), UnknownKeys.REJECT, warnings, problems);
        TrainingSection section = doc.has(TRAINING) ? doc.bind(TRAINING, TrainingSection.class, problems) : null;
        SparkSection spark = doc.has(SPARK) ? doc.bind(SPARK, SparkSection.class, problems) : null;
        doc.throwIfAny(problems);                                    // every problem of the file, one line each
        TrainingOptions training = section != null ? section.resolve(baseDir) : TrainingOptions.defaults();
        return new TrainingConfig(Path.of(source), model, training, warnings,
                spark != null ? spark.options() : SparkOptions.defaults());
    }

    /** Parses the text as JSON when it starts with <code>{</code>, else as YAML, with located syntax errors. */
    private static Document document(String text, String source) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        boolean json = body.stripLeading().startsWith("{");
        JsonParser parser = null;
        try (JsonParser p = json ? DescriptionReader.JSON.createParser(body) : YAML.createParser(new StringReader(body))) {
            parser = p;
            return DescriptionReader.parse(p, source, EXPECTATIONS, json ? null : YamlParser.NODES);
        } catch (JsonProcessingException e) {
            throw syntaxError(source, e, json, parser == null ? null : parser.currentLocation());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the config: " + e.getMessage(), e);
        }
    }

    private static ConfigException syntaxError(String source, JsonProcessingException e, boolean json,
                                               JsonLocation at) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String context = yaml.getContext() == null ? "" : " " + yaml.getContext().trim();
            String where = yaml.getContextMark() == null || yaml.getContext() == null ? ""
                    : " (started at line " + (yaml.getContextMark().getLine() + 1) + ", column "
                            + (yaml.getContextMark().getColumn() + 1) + ")";
            return new ConfigException(source + ":" + (yaml.getProblemMark().getLine() + 1) + ":"
                    + (yaml.getProblemMark().getColumn() + 1) + ": YAML syntax error" + context + where + ": "
                    + firstLine(yaml.getProblem()), e);
        }
        return DescriptionReader.syntaxError(source, e, json ? "JSON" : "YAML", at);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }

    /** Jackson's YAML parsers, made to tell the anchors written on values (see {@link YamlParser}). */
    private static final class AnchoredYamlFactory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        @Override
        protected YAMLParser _createParser(Reader reader, IOContext context) throws IOException {
            return new YamlParser(context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
        }
    }

    /**
     * Jackson's YAML parser tells aliases ({@link #isCurrentAlias()}) but not the anchor written on a scalar (only
     * on mappings and sequences): the event that made the current token has it.
     */
    private static final class YamlParser extends YAMLParser {
        static final DescriptionReader.YamlNodes NODES = new DescriptionReader.YamlNodes() {
            @Override
            public String anchor(JsonParser parser) {
                return ((YamlParser) parser)._lastEvent instanceof NodeEvent event ? event.getAnchor() : null;
            }

            @Override
            public boolean alias(JsonParser parser) {
                return ((YamlParser) parser).isCurrentAlias();
            }
        };

        YamlParser(IOContext context, int parserFeatures, int yamlFeatures, LoaderOptions options, ObjectCodec codec,
                   Reader reader) {
            super(context, parserFeatures, yamlFeatures, options, codec, reader);
        }
    }

    /** The {@code training} section as written; see {@link TrainingOptions} for the meaning and defaults. */
    record TrainingSection(String data, String test, Long seed, Boolean shuffle, Boolean resize, Integer limit,
                           Integer testLimit, EarlyStoppingSpec earlyStopping) {

        @JsonCreator
        static TrainingSection of(@JsonProperty("data") String data,
                                  @JsonProperty("test") String test,
                                  @JsonProperty("seed") Long seed,
                                  @JsonProperty("shuffle") Boolean shuffle,
                                  @JsonProperty("resize") Boolean resize,
                                  @JsonProperty("limit") Integer limit,
                                  @JsonProperty("testLimit") Integer testLimit,
                                  @JsonProperty("earlyStopping") EarlyStoppingSpec earlyStopping) {
            if (limit != null && limit <= 0) {
                throw new ConfigException("training.limit must be a positive integer, got " + limit);
            }
            if (testLimit != null && testLimit <= 0) {
                throw new ConfigException("training.testLimit must be a positive integer, got " + testLimit);
            }
            if (data != null && data.isBlank()) {
                throw new ConfigException("training.data is empty; expected a path");
            }
            if (test != null && test.isBlank()) {
                throw new ConfigException("training.test is empty; expected a path");
            }
            return new TrainingSection(data, test, seed, shuffle, resize, limit, testLimit, earlyStopping);
        }

        TrainingOptions resolve(Path baseDir) {
            return new TrainingOptions(
                    Optional.ofNullable(data).filter(p -> !TrainingOptions.isUri(p)).map(p -> resolvePath(baseDir, p)),
                    Optional.ofNullable(test).filter(p -> !TrainingOptions.isUri(p)).map(p -> resolvePath(baseDir, p)),
                    seed == null ? 0 : seed,
                    shuffle != null && shuffle,
                    resize != null && resize,
                    limit == null ? OptionalInt.empty() : OptionalInt.of(limit),
                    testLimit == null ? OptionalInt.empty() : OptionalInt.of(testLimit),
                    Optional.ofNullable(data).filter(TrainingOptions::isUri),
                    Optional.ofNullable(test).filter(TrainingOptions::isUri),
                    Optional.ofNullable(earlyStopping));
        }

        private static Path resolvePath(Path baseDir, String path) {
            Path p = path.equals("~") || path.startsWith("~/")
                    ? Path.of(System.getProperty("user.home")).resolve(path.substring(Math.min(2, path.length())))
                    : Path.of(path);
            return p.isAbsolute() || baseDir == null ? p.normalize() : baseDir.resolve(p).normalize();
        }
    }

    /** The {@code spark} section as written; see {@link SparkOptions} for the meaning and defaults. */
    record SparkSection(Integer averageEvery, Integer partitions, String cache, Map<String, Object> conf) {

        @JsonCreator
        static SparkSection of(@JsonProperty("averageEvery") Integer averageEvery,
                               @JsonProperty("partitions") Integer partitions,
                               @JsonProperty("cache") String cache,
                               @JsonProperty("conf") Map<String, Object> conf) {
            if (averageEvery != null && averageEvery <= 0) {
                throw new ConfigException("spark.averageEvery must be a positive integer, got " + averageEvery);
            }
            if (partitions != null && partitions <= 0) {
                throw new ConfigException("spark.partitions must be a positive integer, got " + partitions);
            }
            if (cache != null && !List.of("memory", "serialized", "none").contains(cache)) {
                throw new ConfigException("spark.cache " + io.richard.api.Quote.single(cache)
                        + " is not valid; expected memory, serialized or none");
            }
            if (conf != null) {
                for (Map.Entry<String, Object> e : conf.entrySet()) {
                    if (!e.getKey().startsWith("spark.")) {
                        throw new ConfigException("spark.conf: " + io.richard.api.Quote.single(e.getKey())
                                + " is not a Spark setting; their names start with 'spark.' (e.g. spark.executor.memory)");
                    }
                    if (!(e.getValue() instanceof String || e.getValue() instanceof Number
                            || e.getValue() instanceof Boolean)) {
                        throw new ConfigException("spark.conf: " + e.getKey() + " must be a string, number or"
                                + " boolean, got " + (e.getValue() == null ? "null" : "a list or mapping"));
                    }
                }
            }
            return new SparkSection(averageEvery, partitions, cache, conf);
        }

        SparkOptions options() {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            if (conf != null) {
                conf.forEach((key, value) -> settings.put(key, String.valueOf(value)));
            }
            return new SparkOptions(averageEvery != null ? averageEvery : SparkOptions.DEFAULT_AVERAGE_EVERY,
                    partitions != null ? OptionalInt.of(partitions) : OptionalInt.empty(),
                    cache != null ? cache : "memory", settings);
        }
    }
}
