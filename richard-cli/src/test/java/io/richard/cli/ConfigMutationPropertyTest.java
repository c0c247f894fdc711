package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.RichardException;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.MemoryEstimate;
import io.richard.nd4j.Network;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random damage to valid configs (YAML and JSON): deleted, duplicated or swapped lines, stray characters,
 * truncation, renamed keys, swapped and replaced values. Reading one either fails with a clean one-line
 * {@link RichardException} (exit status 2 on the command line) or gives a config whose network builds and runs.
 * Never another exception type.
 */
class ConfigMutationPropertyTest {

    private static final List<String> CONFIGS = List.of(Fixtures.CSV_CONFIG, Fixtures.IMAGE_CONFIG, Fixtures.IDX_CONFIG,
            """
            {"data": {"classes": ["0", "1", "2"], "shape": [6, 6, 1], "normalization": {"min": 0, "max": 255}},
             "dataLoader": {"fetchSize": 100},
             "classifier": {"network": {
               "hyperparams": {"epochs": 2, "batchSize": 100, "miniBatchSize": 5},
               "hiddenLayers": [
                 {"type": "convolutional", "depth": 2, "kernelSize": [3, 3], "learnRate": 0.1, "dropoutRate": 0.1},
                 {"type": "maxPooling", "regionSize": [2, 2]},
                 {"type": "dense", "size": 4, "learnRate": 0.1, "learnRateDecay": 0.9}
               ],
               "outputLayer": {"size": 3, "learnRate": 0.1},
               "gpu": {"workgroup": 64}
             }},
             "training": {"seed": 3, "shuffle": true, "limit": 50}}
            """);
    private static final String STRAY = ":-[]{},# \t'\"09a\n&*!%@`|>?";
    private static final List<String> VALUES = List.of("-1", "0", "1", "2147483648", "99999999999999999999", "1e400",
            "-1e-400", "0.5", "NaN", ".inf", "x", "''", "null", "~", "true", "[]", "{}", "[1, 2]", "[0, 0, 0]",
            "[100000, 100000, 3]", "*a", "&a 1", "!!binary AAAA", "!!java.io.File x", "\"\\u0000\"", "[[[[[[1]]]]]]");
    private static final Pattern KEY = Pattern.compile("([A-Za-z]+)\"?\\s*:");
    private static final Pattern SCALAR = Pattern.compile("(?<=[:\\[,]\\s{0,3})(-?[0-9][0-9.e]*|[a-z]+|\"[^\"]*\")");
    private static final AtomicInteger READ = new AtomicInteger();
    private static final AtomicInteger REJECTED = new AtomicInteger();
    private static final AtomicInteger BUILT = new AtomicInteger();

    @AfterContainer
    static void report() {
        System.out.println("config mutations: " + READ.get() + " read, " + REJECTED.get() + " rejected cleanly, "
                + BUILT.get() + " networks built and run, none escaped");
    }

    @Property(tries = 300, seed = "20240610")
    void everyDamagedConfigIsReadOrRejectedCleanly(@ForAll @IntRange(max = 3) int which,
                                                   @ForAll @IntRange(max = 8) int kind,
                                                   @ForAll @IntRange(min = 1, max = 3) int times,
                                                   @ForAll long randomSeed) {
        Random random = new Random(randomSeed);
        String text = CONFIGS.get(which);
        for (int t = 0; t < times; t++) {
            text = mutate(text, kind, random);
        }
        READ.incrementAndGet();
        TrainingConfig config;
        try {
            config = ConfigReader.parse(text, "cfg.yaml", Path.of("."));
        } catch (RichardException e) {
            REJECTED.incrementAndGet();
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().startsWith("cfg.yaml"), "the message names the file: " + e.getMessage());
            assertFalse(Errors.oneLine(e.getMessage()).isEmpty());
            return;
        } catch (Throwable t) {
            fail("reading a damaged config escaped with " + t + "\n--- config ---\n" + text, t);
            return;
        }
        usable(config.model(), text);
    }

    /** A config that was read builds a network that runs, or is refused for its size with a clean message. */
    private static void usable(ModelSpec model, String text) {
        try {
            MemoryEstimate estimate = MemoryEstimate.of(model, 16);
            if (estimate.parameters() > 200_000 || estimate.activationBytes() > 64L << 20) {
                return;                                      // valid but big: not built in a unit test
            }
            Network network = Network.create(model, 1);
            INDArray y = network.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2,
                    model.inputShape().size()));
            assertArrayEquals(new long[] {2, model.classes().size()}, y.shape());
            BUILT.incrementAndGet();
        } catch (RichardException e) {
            REJECTED.incrementAndGet();
        } catch (Throwable t) {
            fail("a config that was read does not build: " + t + "\n--- config ---\n" + text, t);
        }
    }

    private static String mutate(String text, int kind, Random random) {
        if (text.isEmpty()) {
            return STRAY.substring(random.nextInt(STRAY.length()));
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        switch (kind) {
            case 0 -> lines.remove(random.nextInt(lines.size()));                              // a line deleted
            case 1 -> {                                                                      // a line repeated
                int i = random.nextInt(lines.size());
                lines.add(i, lines.get(i));
            }
            case 2 -> java.util.Collections.swap(lines, random.nextInt(lines.size()), random.nextInt(lines.size()));
            case 3 -> {                                                                      // a stray character
                int at = random.nextInt(text.length() + 1);
                return text.substring(0, at) + STRAY.charAt(random.nextInt(STRAY.length())) + text.substring(at);
            }
            case 4 -> {                                                                      // a character deleted
                int at = random.nextInt(text.length());
                return text.substring(0, at) + text.substring(at + 1);
            }
            case 5 -> {
                return text.substring(0, random.nextInt(text.length()));                       // truncated
            }
            case 6 -> {                                                                      // a key renamed
                List<int[]> keys = spans(KEY, text);
                int[] key = keys.get(random.nextInt(keys.size()));
                String name = text.substring(key[0], key[1]);
                String renamed = switch (random.nextInt(3)) {
                    case 0 -> name.toLowerCase();
                    case 1 -> name + "s";
                    default -> name.substring(1);
                };
                return text.substring(0, key[0]) + renamed + text.substring(key[1]);
            }
            case 7 -> {                                                                      // a value replaced
                List<int[]> values = spans(SCALAR, text);
                int[] value = values.get(random.nextInt(values.size()));
                return text.substring(0, value[0]) + VALUES.get(random.nextInt(VALUES.size())) + text.substring(value[1]);
            }
            default -> {                                                                     // two values swapped
                List<int[]> values = spans(SCALAR, text);
                int[] a = values.get(random.nextInt(values.size()));
                int[] b = values.get(random.nextInt(values.size()));
                if (a[0] > b[0]) {
                    int[] swap = a;
                    a = b;
                    b = swap;
                }
                if (a[1] > b[0]) {
                    return text;
                }
                return text.substring(0, a[0]) + text.substring(b[0], b[1]) + text.substring(a[1], b[0])
                        + text.substring(a[0], a[1]) + text.substring(b[1]);
            }
        }
        return String.join("\n", lines);
    }

    private static List<int[]> spans(Pattern pattern, String text) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            spans.add(new int[] {m.start(1), m.end(1)});
        }
        if (spans.isEmpty()) {
            spans.add(new int[] {0, 0});
        }
        return spans;
    }
}
