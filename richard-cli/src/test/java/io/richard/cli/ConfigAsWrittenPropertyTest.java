package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.ConfigException;
import io.richard.api.Quote;
import io.richard.api.spec.ModelSpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Configs as people write them, generated: YAML with anchors, aliases and merge keys (read exactly as the same
 * config written out), documents that expand through aliases ("billion laughs") or nest deeply, JSON with numbers
 * JSON does not allow, configs with several mistakes at once (every one reported, one line each, in file order)
 * and values of any length in messages. Every input goes through {@link ConfigReader#parse}, the command line's
 * reading.
 */
class ConfigAsWrittenPropertyTest {

    private static final Map<String, AtomicInteger> INPUTS = new java.util.TreeMap<>();
    /** What a parser's own names look like; no message may show them. */
    private static final Pattern INTERNALS = Pattern.compile("`|Feature|Constraints|REDACTED|Source:|jackson|snakeyaml");

    @AfterContainer
    static void report() {
        System.out.println("configs as written, inputs per category: " + INPUTS);
    }

    private static void count(String category) {
        synchronized (INPUTS) {
            INPUTS.computeIfAbsent(category, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static TrainingConfig parse(String text) {
        return ConfigReader.parse(text, "cfg.yaml", Path.of("."));
    }

    private static List<String> problems(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text), text);
        for (String line : e.lines()) {
            assertFalse(line.contains("\n"), line);
            assertFalse(INTERNALS.matcher(line).find(), "the parser's internals in: " + line);
            assertTrue(line.length() <= Quote.MAX_MESSAGE + 200, "a bounded line: " + line.length());
        }
        return e.lines();
    }

    // ---------------------------------------------------------------------------------------------------------
    // A random valid config: dense layers with values from small sets, so that values repeat (what anchors are for)

    /** One dense layer's keys, in the order they are written. */
    private record Layer(int size, String learnRate, String decay, String dropout) {
        Map<String, String> keys() {
            Map<String, String> keys = new java.util.LinkedHashMap<>();
            keys.put("type", "dense");
            keys.put("size", Integer.toString(size));
            keys.put("learnRate", learnRate);
            keys.put("learnRateDecay", decay);
            keys.put("dropoutRate", dropout);
            return keys;
        }
    }

    private static List<Layer> layers(Random random) {
        List<Layer> layers = new ArrayList<>();
        String[] rates = {"0.1", "0.25", "0.5"};
        for (int i = 0; i < 1 + random.nextInt(5); i++) {
            layers.add(new Layer(1 + random.nextInt(3) * 3, rates[random.nextInt(3)], random.nextBoolean() ? "1.0" : "0.9",
                    random.nextBoolean() ? "0.0" : "0.2"));
        }
        return layers;
    }

    private static final String HEAD = """
            data:
              classes: [a, b, c]
              shape: [2, 2, 1]
              normalization:
                min: 0
                max: 10
            dataLoader:
              fetchSize: 7
            classifier:
              network:
                hyperparams:
                  epochs: 2
                  batchSize: 100
                  miniBatchSize: 4
                hiddenLayers:
            """;

    /** The config written out plainly, one key per line. */
    private static String plain(List<Layer> layers, String outputRate) {
        StringBuilder text = new StringBuilder(HEAD);
        for (Layer layer : layers) {
            String dash = "      - ";
            for (Map.Entry<String, String> key : layer.keys().entrySet()) {
                text.append(dash).append(key.getKey()).append(": ").append(key.getValue()).append('\n');
                dash = "        ";
            }
        }
        text.append("    outputLayer:\n      size: 3\n      learnRate: ").append(outputRate).append('\n');
        return text.toString();
    }

    /**
     * The same config written with anchors and aliases: the first use of each learning rate is anchored and later
     * ones are aliases; a layer is anchored, and later layers merge one or two anchored layers ({@code <<: *l0} or
     * {@code <<: [*l1, *l0]}, the first winning) and write only the keys that differ.
     */
    private static String anchored(List<Layer> layers, String outputRate, Random random) {
        StringBuilder text = new StringBuilder(HEAD);
        Map<String, String> rateAnchors = new HashMap<>();
        List<Integer> anchoredLayers = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, String> keys = new java.util.LinkedHashMap<>(layers.get(i).keys());
            String dash = "      - ";
            if (!anchoredLayers.isEmpty() && random.nextInt(3) > 0) {
                int first = anchoredLayers.get(random.nextInt(anchoredLayers.size()));
                int second = anchoredLayers.get(random.nextInt(anchoredLayers.size()));
                boolean list = first != second && random.nextBoolean();
                text.append(dash).append("<<: ").append(list ? "[*l" + first + ", *l" + second + "]" : "*l" + first)
                        .append('\n');
                dash = "        ";
                Map<String, String> merged = layers.get(first).keys();      // the first source wins every key
                keys.entrySet().removeIf(e -> e.getValue().equals(merged.get(e.getKey())));
            } else if (random.nextBoolean()) {
                text.append(dash).append("&l").append(i).append('\n');
                dash = "        ";
                anchoredLayers.add(i);
            }
            for (Map.Entry<String, String> key : keys.entrySet()) {
                text.append(dash).append(key.getKey()).append(": ").append(rate(key, rateAnchors, anchoredLayers, i))
                        .append('\n');
                dash = "        ";
            }
            if (keys.isEmpty() && dash.startsWith("      -")) {
                text.append(dash).append("{}\n");
            }
        }
        String output = rateAnchors.containsKey(outputRate) ? "*" + rateAnchors.get(outputRate) : outputRate;
        text.append("    outputLayer: {size: 3, learnRate: ").append(output).append("}\n");
        return text.toString();
    }

    /** A learning rate as an anchor on its first use outside anchored layers' copies, an alias afterwards. */
    private static String rate(Map.Entry<String, String> key, Map<String, String> anchors, List<Integer> anchoredLayers,
                               int layer) {
        if (!key.getKey().equals("learnRate")) {
            return key.getValue();
        }
        String anchor = anchors.get(key.getValue());
        if (anchor != null) {
            return "*" + anchor;
        }
        anchor = "r" + anchors.size();
        anchors.put(key.getValue(), anchor);
        return "&" + anchor + " " + key.getValue();
    }

    @Property(tries = 150, seed = "20261206")
    void anchorsAliasesAndMergeKeysReadAsTheConfigWrittenOut(@ForAll long seed) {
        count("YAML with anchors, aliases and merge keys");
        Random random = new Random(seed);
        List<Layer> layers = layers(random);
        String outputRate = new String[] {"0.1", "0.25", "0.5"}[random.nextInt(3)];
        ModelSpec expected = parse(plain(layers, outputRate)).model();
        String yaml = anchored(layers, outputRate, random);
        TrainingConfig read = parse(yaml);
        assertEquals(expected, read.model(), yaml);
        assertEquals(List.of(), read.warnings());
    }

    @Property(tries = 25, seed = "20261206")
    void aliasesThatExpandWithoutBoundAreStoppedWithAMessage(@ForAll @IntRange(min = 2, max = 12) int width,
                                                             @ForAll @IntRange(min = 2, max = 12) int depth) {
        count("aliases expanding (billion laughs)");
        StringBuilder yaml = new StringBuilder("data:\n  classes: &a0 [x, y]\n");
        for (int level = 1; level <= depth; level++) {
            yaml.append("  l").append(level).append(": &a").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(width, "*a" + (level - 1)))).append("]\n");
        }
        double values = 0;
        for (int level = 1; level <= depth; level++) {
            values += Math.pow(width, level) * 3;                     // every alias copies its anchor's values
        }
        List<String> lines = problems(yaml.toString());
        boolean laughs = lines.stream().anyMatch(l -> l.contains("billion laughs"));
        if (values > 4.0 * io.richard.nd4j.io.DescriptionReader.MAX_ALIASED_VALUES) {
            assertTrue(laughs, lines.toString());
        } else if (values < io.richard.nd4j.io.DescriptionReader.MAX_ALIASED_VALUES / 4.0) {
            assertFalse(laughs, lines.toString());                    // a small document is read (and rejected)
        }
    }

    @Property(tries = 30, seed = "20261206")
    void deepNestingIsDescribedInTheFilesTerms(@ForAll @IntRange(min = 65, max = 30_000) int depth,
                                               @ForAll boolean json, @ForAll boolean mappings) {
        count("nesting beyond 64 levels");
        String open = mappings ? (json ? "{\"a\": " : "{a: ") : "[";
        String close = mappings ? "}" : "]";
        String text = (json ? "{\"data\": " : "data: ") + open.repeat(depth) + "1" + close.repeat(depth)
                + (json ? "}" : "");
        List<String> lines = problems(text);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("cfg.yaml"), lines.get(0));
        assertTrue(lines.get(0).contains("nest deeper than 64 levels"), lines.get(0));
        assertTrue(lines.get(0).matches("cfg\\.yaml:1:\\d+: .*"), "located: " + lines.get(0));
    }

    private static final List<String> NOT_JSON_NUMBERS = List.of("NaN", "Infinity", "-Infinity", "+Infinity", "+1",
            ".5", "1.", "01", "-", "1e", "0x10", "1e+", "--1", "NAN", "nan", "inf", "1" + "0".repeat(1500));

    @Property(tries = 120, seed = "20261206")
    void numbersJsonDoesNotAllowAreLocatedInTheFile(@ForAll @IntRange(max = 16) int which,
                                                    @ForAll @IntRange(max = 5) int where) {
        count("JSON numbers JSON does not allow");
        String[] keys = {"\"min\": 0", "\"max\": 10", "\"fetchSize\": 7", "\"epochs\": 2", "\"size\": 3",
            "\"learnRate\": 0.5"};
        String json = """
                {"data": {"classes": ["a", "b", "c"], "shape": [2, 2, 1], "normalization": {"min": 0, "max": 10}},
                 "dataLoader": {"fetchSize": 7},
                 "classifier": {"network": {"hyperparams": {"epochs": 2, "batchSize": 10, "miniBatchSize": 2},
                   "hiddenLayers": [], "outputLayer": {"size": 3, "learnRate": 0.5}}}}
                """;
        String key = keys[where];
        assertTrue(json.contains(key), key);
        String bad = json.replace(key, key.substring(0, key.indexOf(':') + 2) + NOT_JSON_NUMBERS.get(which));
        List<String> lines = problems(bad);
        assertEquals(1, lines.size(), lines.toString());
        Matcher at = Pattern.compile("^cfg\\.yaml:(\\d+):(\\d+): JSON syntax error: ").matcher(lines.get(0));
        assertTrue(at.find(), lines.get(0));
        int line = Integer.parseInt(at.group(1));
        String written = bad.split("\n")[line - 1];
        assertTrue(written.contains(key.substring(0, key.indexOf(':'))), "line " + line + " is the value's: "
                + written + " / " + lines.get(0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Several mistakes at once

    /** A mistake: where (a line holding {@code key: value} below {@code path}) and what it makes of the line. */
    private record Mistake(String path, String key, String kind) {
    }

    /** Applies one mistake to the config's lines; returns the path the message must name. */
    private static String apply(List<String> lines, int layers, Mistake mistake, Random random) {
        // The line of the key: the n-th "key:" line below the section the path names.
        int at = lineOf(lines, mistake.path(), mistake.key(), layers);
        String line = lines.get(at);
        String indent = line.substring(0, line.indexOf(mistake.key()));
        String clean = indent.replace('-', ' ');
        switch (mistake.kind()) {
            case "string" -> lines.set(at, indent + mistake.key() + ": x" + random.nextInt(100));
            case "fraction" -> lines.set(at, indent + mistake.key() + ": 2.5");
            case "null" -> lines.set(at, indent + mistake.key() + ":");
            case "negative" -> lines.set(at, indent + mistake.key() + ": -" + (1 + random.nextInt(9)));
            case "boolean" -> lines.set(at, indent + mistake.key() + ": true");
            case "list" -> lines.set(at, indent + mistake.key() + ": [1, 2]");
            case "duplicate" -> lines.add(at + 1, clean + line.substring(indent.length()));
            case "misspelt" -> lines.set(at, indent + mistake.key() + "x" + line.substring(indent.length()
                    + mistake.key().length()));
            case "unknown" -> lines.add(at + 1, clean + "colour: blue");
            default -> throw new IllegalArgumentException(mistake.kind());
        }
        String base = mistake.path().isEmpty() ? "" : mistake.path() + ".";
        return switch (mistake.kind()) {
            case "misspelt" -> base + mistake.key() + "x";
            case "unknown" -> base + "colour";
            default -> base + mistake.key();
        };
    }

    private static int lineOf(List<String> lines, String path, String key, int layers) {
        String section = path.replaceAll("\\[\\d+]$", "");
        int layer = path.matches(".*\\[\\d+]$") ? Integer.parseInt(path.replaceAll(".*\\[(\\d+)]$", "$1")) : -1;
        int start = switch (section) {
            case "dataLoader" -> indexOf(lines, "dataLoader:", 0);
            case "data.normalization" -> indexOf(lines, "  normalization:", 0);
            case "classifier.network.hyperparams" -> indexOf(lines, "    hyperparams:", 0);
            case "classifier.network.outputLayer" -> indexOf(lines, "    outputLayer:", 0);
            case "classifier.network.hiddenLayers" -> {
                int from = indexOf(lines, "    hiddenLayers:", 0);
                for (int l = 0; l <= layer; l++) {
                    from = indexOf(lines, "      - ", from + 1);
                }
                yield from - 1;
            }
            default -> throw new IllegalArgumentException(section);
        };
        for (int i = start + 1; i < lines.size(); i++) {
            if (lines.get(i).trim().replaceFirst("^- ", "").startsWith(key + ":")) {
                return i;
            }
        }
        throw new IllegalArgumentException(path + " " + key);
    }

    private static int indexOf(List<String> lines, String prefix, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new IllegalArgumentException(prefix);
    }

    @Property(tries = 200, seed = "20261206")
    void everyMistakeOfAConfigIsReportedOnItsOwnLineInFileOrder(@ForAll long seed) {
        count("configs with several mistakes");
        Random random = new Random(seed);
        List<Layer> layers = layers(random);
        // Places that can each hold one mistake, and the mistakes each kind of value can have.
        List<Mistake> places = new ArrayList<>();
        String[] numberKinds = {"string", "null", "boolean", "list", "duplicate", "misspelt"};
        String[] countKinds = {"string", "fraction", "null", "negative", "boolean", "duplicate", "misspelt"};
        places.add(new Mistake("dataLoader", "fetchSize", pick(countKinds, random)));
        places.add(new Mistake("data.normalization", "max", pick(new String[] {"string", "boolean", "list"}, random)));
        places.add(new Mistake("classifier.network.hyperparams", "epochs", pick(countKinds, random)));
        places.add(new Mistake("classifier.network.hyperparams", "miniBatchSize", pick(countKinds, random)));
        places.add(new Mistake("classifier.network.outputLayer", "learnRate", pick(numberKinds, random)));
        for (int l = 0; l < layers.size(); l++) {
            String layer = "classifier.network.hiddenLayers[" + l + "]";
            places.add(new Mistake(layer, "size", pick(countKinds, random)));
            places.add(new Mistake(layer, "learnRate", pick(numberKinds, random)));
            places.add(new Mistake(layer, "dropoutRate", pick(new String[] {"string", "list", "unknown"}, random)));
        }
        java.util.Collections.shuffle(places, random);
        int count = 1 + random.nextInt(Math.min(6, places.size()));
        List<String> lines = new ArrayList<>(List.of(plain(layers, "0.5").split("\n")));
        List<String> expected = new ArrayList<>();
        for (Mistake mistake : places.subList(0, count)) {
            expected.add(apply(lines, layers.size(), mistake, random));
        }
        String text = String.join("\n", lines) + "\n";
        List<String> reported = problems(text);
        assertEquals(count, reported.size(), "one line per mistake " + expected + ":\n" + String.join("\n", reported)
                + "\n--- config ---\n" + text);
        for (String path : expected) {
            assertTrue(reported.stream().anyMatch(l -> l.contains(": " + path + ": ")), path + " in " + reported);
        }
        int previous = 0;
        for (String line : reported) {
            int number = Integer.parseInt(line.replaceFirst("^cfg\\.yaml:(\\d+):.*", "$1"));
            assertTrue(number >= previous, "file order: " + reported);
            previous = number;
        }
    }

    private static String pick(String[] kinds, Random random) {
        return kinds[random.nextInt(kinds.length)];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values of any length in messages

    @Property(tries = 40, seed = "20261206")
    void aHugeValueIsShownShortened(@ForAll @IntRange(min = 1, max = 400_000) int length,
                                    @ForAll @IntRange(max = 3) int where) {
        count("huge values in config messages");
        String huge = "v".repeat(length);
        String text = switch (where) {
            case 0 -> Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: " + huge);             // a value
            case 1 -> Fixtures.CSV_CONFIG.replace("fetchSize: 7", "fetchSize: 7\n  " + huge + ": 1");   // a key
            case 2 -> Fixtures.CSV_CONFIG.replace("type: dense", "type: " + huge);            // a layer type
            default -> Fixtures.CSV_CONFIG.replace("classes: [a, b]", "classes: [a, " + huge + ", " + huge + "]");
        };
        for (String line : problems(text)) {
            assertFalse(line.contains("v".repeat(Quote.MAX_VALUE + 1)), "the value is shortened: "
                    + line.substring(0, Math.min(200, line.length())));
        }
    }
}
