package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.richard.api.Parameter;
import io.richard.api.RichardException;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.TrainingState;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Random damage to model archives and checkpoints (flipped bytes, truncation, edited, deleted or renamed JSON keys,
 * swapped values, removed or renamed entries): loading either fails with a clean {@link RichardException} naming
 * the file, or succeeds with a usable network; for damage to the raw bytes a successful load is the original
 * network, bit for bit. Never another exception type.
 */
class ArchiveMutationPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR;
    private static final List<byte[]> ORIGINALS = new ArrayList<>();
    private static final List<Network> NETWORKS = new ArrayList<>();
    private static final AtomicInteger CLEAN_ERRORS = new AtomicInteger();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final AtomicInteger SUCCESSES = new AtomicInteger();

    static {
        try {
            DIR = Files.createTempDirectory("archive-mutations");
            Network dense = Network.create(IoFixtures.denseModel(), 3);
            Network conv = Network.create(IoFixtures.convModel(), 4);
            ModelArchive.save(DIR.resolve("dense.richard"), dense, Map.of("epochs", "2"));
            ModelArchive.save(DIR.resolve("conv.richard"), conv, Map.of());
            Checkpoint.save(DIR.resolve("c.checkpoint"), dense, new TrainingState(1, 3, 30, 2.5, OptionalLong.of(7),
                    "sgd", Map.of()), Map.of("checkpointEvery", "3b"));
            for (String name : List.of("dense.richard", "conv.richard", "c.checkpoint")) {
                ORIGINALS.add(Files.readAllBytes(DIR.resolve(name)));
            }
            NETWORKS.addAll(List.of(dense, conv, dense));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.walk(DIR)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("archive mutations: " + LOADS.get() + " damaged files, " + SUCCESSES.get()
                + " loaded as models, " + CLEAN_ERRORS.get() + " clean errors (models and checkpoints), none escaped");
    }

    @Property(tries = 150, seed = "20240607")
    void damagedBytesLoadAsTheOriginalOrFailCleanly(@ForAll @IntRange(max = 2) int which,
                                                    @ForAll @IntRange(max = 3) int kind,
                                                    @ForAll long randomSeed) throws IOException {
        Random random = new Random(randomSeed);
        byte[] bytes = ORIGINALS.get(which).clone();
        switch (kind) {
            case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));   // one flipped byte
            case 1 -> {                                                                         // a burst of flips
                int at = random.nextInt(bytes.length);
                for (int i = at; i < Math.min(bytes.length, at + 1 + random.nextInt(16)); i++) {
                    bytes[i] = (byte) random.nextInt(256);
                }
            }
            case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));       // truncated
            default -> {                                                                        // bytes cut out
                int at = random.nextInt(bytes.length);
                int cut = Math.min(bytes.length - at, 1 + random.nextInt(64));
                byte[] shorter = new byte[bytes.length - cut];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + cut, shorter, at, bytes.length - at - cut);
                bytes = shorter;
            }
        }
        Network loaded = load(bytes, which == 2);
        if (loaded != null) {
            assertSameParameters(NETWORKS.get(which), loaded);
            assertEquals(NETWORKS.get(which).model(), loaded.model(), "a successful load is the original model");
        }
    }

    @Property(tries = 150, seed = "20240608")
    void editedDescriptionsLoadAUsableNetworkOrFailCleanly(@ForAll @IntRange(max = 2) int which,
                                                           @ForAll @IntRange(max = 4) int kind,
                                                           @ForAll long randomSeed) throws IOException {
        Random random = new Random(randomSeed);
        Map<String, byte[]> entries = IoFixtures.unzip(ORIGINALS.get(which));
        String entry = which == 2 && random.nextBoolean() ? Checkpoint.STATE_ENTRY : ModelArchive.DESCRIPTION_ENTRY;
        JsonNode root = JSON.readTree(entries.get(entry));
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        switch (kind) {
            case 0 -> remove(target, random);                                   // a key or item deleted
            case 1 -> rename(target, random);                                   // a key renamed
            case 2 -> replace(target, random, value(random));                   // a value replaced
            case 3 -> swap(containers, random);                                 // two values swapped
            default -> {                                                        // a whole entry deleted or renamed
                List<String> names = new ArrayList<>(entries.keySet());
                String name = names.get(random.nextInt(names.size()));
                byte[] content = entries.remove(name);
                if (random.nextBoolean()) {
                    entries.put(random.nextBoolean() ? name + "x" : "params/../" + name, content);
                }
            }
        }
        if (kind < 4) {
            entries.put(entry, JSON.writeValueAsBytes(root));
        }
        Network loaded = load(IoFixtures.zip(entries, random.nextBoolean()), which == 2);
        if (loaded != null) {
            INDArray x = IoFixtures.input(loaded.model(), 2, loaded.dataType(), 1);
            INDArray y = loaded.output(x);
            assertArrayEquals(new long[] {2, loaded.model().classes().size()}, y.shape(), "a usable network");
        }
    }

    /** Loads the bytes as a model (and as a checkpoint when they come from one); null when that failed cleanly. */
    private static Network load(byte[] bytes, boolean checkpoint) throws IOException {
        Path file = DIR.resolve("mutated-" + Thread.currentThread().getId() + ".richard");
        Files.write(file, bytes);
        LOADS.incrementAndGet();
        Network model = null;
        try {
            model = Models.load(file).network();
            SUCCESSES.incrementAndGet();
        } catch (RichardException e) {
            clean(e, file);
        } catch (Throwable t) {
            fail("loading a damaged model escaped with " + t, t);
        }
        if (checkpoint) {
            try {
                Checkpoint loaded = Checkpoint.load(file);
                assertNotNull(loaded.state());
                if (model == null) {
                    fail("the checkpoint loaded though the same file did not load as a model");
                }
            } catch (RichardException e) {
                clean(e, file);
            } catch (Throwable t) {
                fail("loading a damaged checkpoint escaped with " + t, t);
            }
        }
        return model;
    }

    private static void clean(RichardException e, Path file) {
        CLEAN_ERRORS.incrementAndGet();
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private static void assertSameParameters(Network expected, Network actual) {
        for (int l = 0; l < expected.layers().size(); l++) {
            List<Parameter> want = expected.layers().get(l).parameters();
            List<Parameter> got = actual.layers().get(l).parameters();
            for (int p = 0; p < want.size(); p++) {
                assertEquals(want.get(p).value(), got.get(p).value(), "layer " + l + " " + want.get(p).name());
            }
        }
        assertEquals(expected.dataType(), actual.dataType());
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode() && node.size() > 0) {
            containers.add(node);
            node.forEach(child -> collect(child, containers));
        }
    }

    private static void remove(JsonNode container, Random random) {
        if (container instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            object.remove(keys.get(random.nextInt(keys.size())));
        } else {
            ((ArrayNode) container).remove(random.nextInt(container.size()));
        }
    }

    private static void rename(JsonNode container, Random random) {
        if (container instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            String key = keys.get(random.nextInt(keys.size()));
            JsonNode value = object.remove(key);
            object.set(random.nextBoolean() ? key.toUpperCase() : key + "_", value);
        } else {
            remove(container, random);
        }
    }

    private static void replace(JsonNode container, Random random, JsonNode value) {
        if (container instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            object.set(keys.get(random.nextInt(keys.size())), value);
        } else {
            ((ArrayNode) container).set(random.nextInt(container.size()), value);
        }
    }

    private static void swap(List<JsonNode> containers, Random random) {
        JsonNode a = containers.get(random.nextInt(containers.size()));
        JsonNode b = containers.get(random.nextInt(containers.size()));
        JsonNode va = pick(a, random);
        JsonNode vb = pick(b, random);
        if (va != null && vb != null && va != b && vb != a) {
            replace(a, random, vb.deepCopy());
            replace(b, random, va.deepCopy());
        }
    }

    private static JsonNode pick(JsonNode container, Random random) {
        List<JsonNode> values = new ArrayList<>();
        container.forEach(values::add);
        return values.isEmpty() ? null : values.get(random.nextInt(values.size()));
    }

    /** A value that is wrong somewhere: negative, zero, huge, fractional, of another type, missing. */
    private static JsonNode value(Random random) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> pool = List.of(f.numberNode(-1), f.numberNode(0), f.numberNode(1), f.numberNode(3),
                f.numberNode(Integer.MAX_VALUE), f.numberNode(Long.MAX_VALUE), f.numberNode(1.5), f.numberNode(1e308),
                f.numberNode(-1e-300), f.textNode(""), f.textNode("float16"), f.textNode("../../etc/passwd"),
                f.textNode("params/00-W.npy"), f.textNode("x".repeat(300)), f.booleanNode(true), f.nullNode(),
                f.arrayNode(), f.arrayNode().add(100000).add(100000), f.objectNode(),
                f.numberNode(new java.math.BigInteger("123456789012345678901234567890")));
        return pool.get(random.nextInt(pool.size()));
    }

    @Property(tries = 20, seed = "20240609")
    void loadingTheOriginalsAlwaysWorks(@ForAll @IntRange(max = 2) int which) throws IOException {
        Network loaded = load(ORIGINALS.get(which), which == 2);
        assertNotNull(loaded);
        assertSameParameters(NETWORKS.get(which), loaded);
        assertTrue(new String(ORIGINALS.get(which), StandardCharsets.ISO_8859_1).startsWith("PK"));
    }
}
