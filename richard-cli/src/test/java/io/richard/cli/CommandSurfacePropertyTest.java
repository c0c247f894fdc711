package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import io.richard.api.Quote;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import picocli.CommandLine;

/**
 * The command line's surface, by category: IDX files with lying headers through {@code train}, {@code eval} and
 * {@code predict}; values of any length (a CSV label of megabytes, an option's value) in messages; every command's
 * common options and help; {@code summary} of networks of any size (worked out from the description: building one
 * would not fit in the test's 2 GB heap); {@code init}'s data path wherever the config is saved.
 */
class CommandSurfacePropertyTest {

    private static Path dir;
    private static final Map<String, AtomicInteger> INPUTS = new TreeMap<>();

    @BeforeContainer
    static void fixtures() throws IOException {
        dir = Files.createTempDirectory("richard-surface");
        Fixtures.csvProject(dir);
        Fixtures.idxProject(dir.resolve("idx"));
        Files.writeString(dir.resolve("bench.yaml"), Fixtures.IDX_CONFIG                  // bench reads MNIST's 10 classes
                .replace("classes: [\"0\", \"1\"]", "classes: [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]")
                .replace("outputLayer: {size: 2,", "outputLayer: {size: 10,"));
        Fixtures.Result trained = Fixtures.run("train", dir.resolve("idx/config.yaml").toString(), "--model",
                dir.resolve("idx.richard").toString(), "--progress", "none", "--epochs", "1");
        assertEquals(0, trained.status(), trained::toString);
    }

    @AfterContainer
    static void report() {
        System.out.println("command surface, inputs per category: " + INPUTS);
    }

    private static void count(String category) {
        synchronized (INPUTS) {
            INPUTS.computeIfAbsent(category, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Exit status 2 and one bounded line per error, no stack trace. */
    private static List<String> refused(Fixtures.Result result) {
        assertEquals(2, result.status(), result::toString);
        assertFalse(result.err().contains("\tat "), result::toString);
        List<String> errors = result.err().lines().filter(l -> l.startsWith("richard: error: ")).toList();
        assertFalse(errors.isEmpty(), result::toString);
        for (String line : result.err().lines().toList()) {
            assertTrue(line.length() <= Quote.MAX_MESSAGE + 40, "a bounded line: " + line.length());
        }
        return errors;
    }

    // ---------------------------------------------------------------------------------------------------------

    private static byte[] idx(int magic, int[] dims, byte[] data, boolean gzipped) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream raw = gzipped ? new GZIPOutputStream(bytes) : bytes;
             DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @Property(tries = 24, seed = "20261206")
    void idxHeadersThatLieEndInOneLineForEveryCommand(@ForAll @IntRange(max = 2) int command,
                                                      @ForAll boolean gzipped, @ForAll long seed) throws IOException {
        count("IDX headers that lie, through train, eval and predict");
        Random random = new Random(seed);
        int real = 1 + random.nextInt(4);
        int claimed = switch (random.nextInt(3)) {
            case 0 -> Integer.MAX_VALUE;
            case 1 -> real + 1 + random.nextInt(Integer.MAX_VALUE - real - 1);
            default -> real + 1;
        };
        byte[] pixels = new byte[real * 36];
        random.nextBytes(pixels);
        Path folder = Files.createTempDirectory(dir, "idx");
        String suffix = gzipped ? ".gz" : "";
        Path images = Files.write(folder.resolve("x-images-idx3-ubyte" + suffix),
                idx(0x803, new int[] {claimed, 6, 6}, pixels, gzipped));
        byte[] labels = new byte[real];
        Files.write(folder.resolve("x-labels-idx1-ubyte" + suffix), idx(0x801, new int[] {claimed}, labels, gzipped));
        String[] args = switch (command) {
            case 0 -> new String[] {"train", dir.resolve("idx/config.yaml").toString(), "--data", images.toString(),
                "--model", folder.resolve("m.richard").toString(), "--progress", "none"};
            case 1 -> new String[] {"eval", dir.resolve("idx.richard").toString(), images.toString()};
            default -> new String[] {"predict", dir.resolve("idx.richard").toString(), images.toString()};
        };
        List<String> errors = refused(Fixtures.run(args));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains(folder.toString()), errors.get(0));
        assertFalse(Files.exists(folder.resolve("m.richard")));
    }

    @Property(tries = 16, seed = "20261206")
    void aValueOfAnyLengthIsShownShortened(@ForAll @IntRange(min = 1, max = 10_000_000) int length,
                                           @ForAll @IntRange(max = 3) int where) throws IOException {
        count("values of any length in messages (CSV labels, options)");
        String huge = "L".repeat(length);
        Fixtures.Result result = switch (where) {
            case 0 -> Fixtures.run("train", dir.resolve("config.yaml").toString(), "--data",
                    Files.writeString(dir.resolve("labels.csv"), huge + ",1,2,3,4\n").toString(), "--model",
                    dir.resolve("never.richard").toString(), "--progress", "none");
            case 1 -> Fixtures.run("eval", "--format", huge, "x", "y");
            case 2 -> Fixtures.run("train", dir.resolve("config.yaml").toString(), "--checkpoint-every", huge);
            default -> Fixtures.run("predict", "--format", "csv", dir.resolve("idx.richard").toString(),
                    Files.writeString(dir.resolve("values.csv"), "1,".repeat(35) + huge + "\n").toString());
        };
        for (String line : refused(result)) {
            assertFalse(line.contains("L".repeat(Quote.MAX_VALUE + 1)), "shortened: "
                    + line.substring(0, Math.min(300, line.length())));
        }
        assertFalse(Files.exists(dir.resolve("never.richard")));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<CommandLine> commands() {
        return new ArrayList<>(Richard.commandLine(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter()), false).getSubcommands().values().stream()
                .filter(c -> !c.getCommandName().equals("help")).toList());
    }

    @Property(tries = 20, seed = "20261206")
    void everyCommandTakesTheCommonOptionsAndDescribesItselfInASentence(@ForAll @IntRange(max = 19) int which) {
        List<CommandLine> commands = commands();
        assertTrue(commands.size() >= 6, "train, eval, predict, init, summary, bench, …: " + commands.size());
        org.junit.jupiter.api.Assumptions.assumeTrue(which < commands.size());
        count("every command: -v, -l, --help");
        CommandLine command = commands.get(which);
        for (String option : List.of("-v", "--verbose", "-l", "--log")) {
            assertTrue(command.getCommandSpec().findOption(option) != null, command.getCommandName() + " " + option);
        }
        String first = command.getCommandSpec().usageMessage().description()[0];
        assertTrue(first.endsWith("."), command.getCommandName() + "'s summary line is a sentence: " + first);
        Fixtures.Result help = Fixtures.run(command.getCommandName(), "--help", "-v");
        assertEquals(0, help.status(), help::toString);
        Fixtures.Result top = Fixtures.run("--help");
        for (String line : top.out().lines().toList()) {
            assertFalse(line.endsWith(":") && line.startsWith("  ") && !line.trim().endsWith("Commands:"),
                    "an unfinished line in the help: " + line);
            assertTrue(line.length() <= 80, "the help fits 80 columns: " + line);
        }
    }

    @Property(tries = 4, seed = "20261206")
    void initAndBenchTakeVerbose(@ForAll boolean init) {
        count("every command: -v, -l, --help");
        Fixtures.Result result = init ? Fixtures.run("init", "-v") : Fixtures.run("bench", "-v", "--data",
                dir.resolve("idx/mnist").toString(), "--config", dir.resolve("bench.yaml").toString(), "--limit",
                "8");
        assertEquals(0, result.status(), result::toString);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Property(tries = 40, seed = "20261206")
    void summaryOfAnySizeIsWorkedOutFromTheDescription(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int size,
                                                       @ForAll @IntRange(min = 1, max = 3) int layers,
                                                       @ForAll boolean convolution) throws IOException {
        count("summary of networks of any size");
        StringBuilder hidden = new StringBuilder();
        BigInteger parameters = BigInteger.ZERO;
        long input = 4;
        if (convolution) {
            int depth = Math.max(1, size / 1024);
            hidden.append("      - {type: convolutional, depth: ").append(depth).append(", kernelSize: [2, 2],")
                    .append(" learnRate: 0.1}\n");
            parameters = parameters.add(BigInteger.valueOf(depth).multiply(BigInteger.valueOf(4 + 1)));
            input = depth;                                        // 1×1×depth
        }
        for (int l = 0; l < layers; l++) {
            int units = l == 0 ? size : Math.max(1, size / (l + 1));
            hidden.append("      - {type: dense, size: ").append(units).append(", learnRate: 0.1}\n");
            parameters = parameters.add(BigInteger.valueOf(units).multiply(BigInteger.valueOf(input + 1)));
            input = units;
        }
        parameters = parameters.add(BigInteger.valueOf(2).multiply(BigInteger.valueOf(input + 1)));
        String config = Fixtures.CSV_CONFIG.replace("      - {type: dense, size: 6, learnRate: 0.5}\n",
                hidden.toString()).replace("shape: [2, 2, 1]", "shape: [2, 2, 1]");
        Path file = Files.writeString(dir.resolve("big.yaml"), config);
        Fixtures.Result summary = Fixtures.run("summary", file.toString());
        assertEquals(0, summary.status(), summary::toString);
        assertTrue(summary.out().contains(String.format(Locale.ROOT, "total parameters: %,d;", parameters)),
                parameters + " in " + summary.out());
    }

    // ---------------------------------------------------------------------------------------------------------

    @Property(tries = 12, seed = "20261206")
    void initsConfigFindsTheDataWhereverItIsSaved(@ForAll @IntRange(max = 4) int depth, @ForAll boolean toFile,
                                                  @ForAll boolean cnn) throws IOException {
        count("init configs saved anywhere");
        Path folder = Files.createTempDirectory(dir, "init");
        for (int d = 0; d < depth; d++) {
            folder = folder.resolve("d" + d);
        }
        Path config = folder.resolve("x.yaml");
        Fixtures.Result init;
        if (toFile) {
            init = Fixtures.run("init", cnn ? "cnn" : "dense", "-o", config.toString());
        } else {
            init = Fixtures.run("init", cnn ? "cnn" : "dense");                 // what `> sub/dir/x.yaml` saves
            Files.createDirectories(folder);
            Files.writeString(config, init.out());
        }
        assertEquals(0, init.status(), init::toString);
        TrainingConfig read = ConfigReader.read(config);
        assumeHome();
        assertTrue(read.training().data().isPresent());
        assertTrue(Files.isDirectory(read.training().data().get()), "the data is found from " + config + ": "
                + read.training().data().get());
    }

    private static void assumeHome() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Home.mnistSubset().isPresent(), "the shipped MNIST subset");
    }
}
