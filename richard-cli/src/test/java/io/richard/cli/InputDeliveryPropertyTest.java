package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every input the command line reads, delivered every way a user can: as a file, as {@code -} (standard input)
 * and through a FIFO (what a pipe or {@code <(…)} is), must give the same output, naming the input as given. And
 * every input fed something endless ({@code /dev/zero}, a FIFO that never ends) must stop with exit status 2 and
 * a message, after reading a bounded amount.
 */
class InputDeliveryPropertyTest {

    private static Path dir;
    private static final Map<String, AtomicInteger> INPUTS = new TreeMap<>();

    /** An input argument of a command: which command line, with INPUT where the input goes. */
    enum Argument {
        SUMMARY_CONFIG("config.yaml", "summary", "INPUT"),
        SUMMARY_MODEL("csv.richard", "summary", "INPUT"),
        TRAIN_CONFIG("config.yaml", "train", "INPUT", "--model", "OUT", "--progress", "none", "--epochs", "1"),
        TRAIN_DATA("train.csv", "train", "config.yaml", "--data", "INPUT", "--model", "OUT", "--progress", "none",
                "--epochs", "1"),
        TRAIN_TEST("test.csv", "train", "config.yaml", "--test", "INPUT", "--model", "OUT", "--progress", "none",
                "--epochs", "1"),
        EVAL_MODEL("csv.richard", "eval", "INPUT", "test.csv"),
        EVAL_DATA("test.csv", "eval", "csv.richard", "INPUT"),
        PREDICT_MODEL("csv.richard", "predict", "INPUT", "rows.csv"),
        PREDICT_CSV("rows.csv", "predict", "csv.richard", "INPUT"),
        PREDICT_IDX("images.idx.gz", "predict", "idx.richard", "INPUT"),
        PREDICT_IMAGE("image.png", "predict", "img.richard", "INPUT"),
        BENCH_CONFIG("bench.yaml", "bench", "--data", "idx/mnist", "--config", "INPUT", "--limit", "8");

        final String file;
        final String[] args;

        Argument(String file, String... args) {
            this.file = file;
            this.args = args;
        }
    }

    /** How the input reaches the command. */
    enum Delivery { FILE, STANDARD_INPUT, FIFO }

    @BeforeContainer
    static void fixtures() throws IOException {
        dir = Files.createTempDirectory("richard-inputs");
        Fixtures.csvProject(dir);
        Fixtures.idxProject(dir.resolve("idx"));
        Fixtures.imageProject(dir.resolve("img"));
        // Absolute data paths, so the config reads the same from anywhere (relative ones follow the config's folder).
        Files.writeString(dir.resolve("config.yaml"), Fixtures.CSV_CONFIG.replace("data: train.csv", "data: "
                + dir.resolve("train.csv")).replace("test: test.csv", "test: " + dir.resolve("test.csv")));
        Files.writeString(dir.resolve("rows.csv"), Fixtures.csvRows(5, new Random(7), false));
        ok(Fixtures.run("train", dir.resolve("config.yaml").toString(), "--model", dir.resolve("csv.richard").toString(),
                "--progress", "none"));
        ok(Fixtures.run("train", dir.resolve("idx/config.yaml").toString(), "--model",
                dir.resolve("idx.richard").toString(), "--progress", "none"));
        ok(Fixtures.run("train", dir.resolve("img/config.yaml").toString(), "--model",
                dir.resolve("img.richard").toString(), "--progress", "none", "--epochs", "1"));
        Files.writeString(dir.resolve("bench.yaml"), Fixtures.IDX_CONFIG                  // bench reads MNIST's 10 classes
                .replace("classes: [\"0\", \"1\"]", "classes: [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]")
                .replace("outputLayer: {size: 2,", "outputLayer: {size: 10,"));
        Files.copy(dir.resolve("idx/mnist/t10k-images-idx3-ubyte.gz"), dir.resolve("images.idx.gz"));
        Files.copy(dir.resolve("img/images/test/light/light-0.png"), dir.resolve("image.png"));
    }

    @AfterContainer
    static void report() {
        System.out.println("input deliveries, inputs per category: " + INPUTS);
    }

    private static void count(String category) {
        synchronized (INPUTS) {
            INPUTS.computeIfAbsent(category, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void ok(Fixtures.Result result) {
        assertEquals(0, result.status(), result::toString);
    }

    /** A run's status and standard output and error, with the input's name, durations and output files masked. */
    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(Argument argument, String inputName, InputStream stdin, String out) {
        List<String> args = new ArrayList<>();
        for (String arg : argument.args) {
            args.add(switch (arg) {
                case "INPUT" -> inputName;
                case "OUT" -> out;
                case "config.yaml", "csv.richard", "idx.richard", "img.richard", "test.csv", "rows.csv", "idx/mnist" ->
                        dir.resolve(arg).toString();
                default -> arg;
            });
        }
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int status = Richard.run(args.toArray(String[]::new), stdin, new PrintWriter(stdout, true),
                new PrintWriter(stderr, true));
        return new Outcome(status, mask(stdout.toString(), inputName, out), mask(stderr.toString(), inputName, out));
    }

    private static String mask(String text, String inputName, String out) {
        String masked = out == null ? text : text.replace(out, "OUT");
        masked = inputName.equals("-") ? masked : masked.replace(inputName, "INPUT");
        return masked.replace(dir.toString(), "DIR")
                .replaceAll("[0-9]+\\.[0-9]+ s\\b", "T s").replaceAll("[a-z_]*sec[a-z_]*=[0-9.]+", "sec=T")
                .replaceAll("samples_per_sec=[0-9]+", "").replaceAll("peak_rss_mb=[0-9]+", "")
                .replaceAll("jvm_to_ready_sec=[0-9.]+|data_load_sec=[0-9.]+", "");
    }

    /** A daemon thread writing into a FIFO (it blocks until the command opens the FIFO), once or until stopped. */
    private static final class Feeder extends Thread {
        private final Path fifo;
        private final byte[] bytes;
        private final boolean endless;
        private volatile boolean stop;

        Feeder(Path fifo, byte[] bytes, boolean endless) {
            super("fifo-writer");
            this.fifo = fifo;
            this.bytes = bytes;
            this.endless = endless;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try (OutputStream out = new FileOutputStream(fifo.toFile())) {
                do {
                    out.write(bytes);
                } while (endless && !stop);
            } catch (IOException e) {
                // the command stopped reading (a broken pipe): what an endless input ends with
            }
        }

        /**
         * Stops writing and waits for the writer, unblocking one whose FIFO the command never opened (or closed
         * early): opening a FIFO for reading and writing never blocks on Linux, and while it is open the writer's
         * open returns; closing it then ends the writer's writes with a broken pipe.
         */
        void finish() throws InterruptedException, IOException {
            stop = true;
            while (isAlive()) {
                try (java.io.RandomAccessFile both = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
                    join(50);
                }
                join(50);
            }
        }
    }

    private static Path fifo(String name) throws IOException, InterruptedException {
        Path fifo = dir.resolve(name + "-" + System.nanoTime());
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0 && Files.exists(fifo), "mkfifo is needed");
        return fifo;
    }

    @Property(tries = 40, seed = "20261206")
    void everyInputGivesTheSameResultHoweverItIsDelivered(@ForAll Argument argument, @ForAll Delivery delivery)
            throws Exception {
        count("input arguments × deliveries (file, -, FIFO)");
        Path file = dir.resolve(argument.file);
        byte[] bytes = Files.readAllBytes(file);
        Outcome expected = run(argument, file.toString(), new ByteArrayInputStream(new byte[0]),
                argument.args[0].equals("train") ? dir.resolve("f.richard").toString()
                        : null);
        assertEquals(0, expected.status(), argument + " from a file: " + expected);
        String out = argument.args[0].equals("train") ? dir.resolve(delivery + ".richard").toString() : null;
        Outcome outcome;
        switch (delivery) {
            case FILE -> outcome = run(argument, file.toString(), new ByteArrayInputStream(new byte[0]), out);
            case STANDARD_INPUT -> outcome = run(argument, "-", new ByteArrayInputStream(bytes), out);
            default -> {
                Path fifo = fifo("in");
                Feeder writer = new Feeder(fifo, bytes, false);
                try {
                    outcome = run(argument, fifo.toString(), new ByteArrayInputStream(new byte[0]), out);
                } finally {
                    writer.finish();
                    Files.delete(fifo);
                }
            }
        }
        String shown = delivery == Delivery.STANDARD_INPUT ? "standard input" : "INPUT";
        assertEquals(0, outcome.status(), argument + " through " + delivery + ": " + outcome);
        assertEquals(expected.out().replace("INPUT", shown).replace("f.richard", "OUT"),
                outcome.out().replace(delivery + ".richard", "OUT"), argument + " through " + delivery);
    }

    /** Something endless or huge where an input belongs. */
    enum Endless { DEV_ZERO, ENDLESS_TEXT, ENDLESS_LINE }

    @Property(tries = 36, seed = "20261206")
    void anEndlessInputStopsWithAMessage(@ForAll Argument argument, @ForAll Endless endless) throws Exception {
        assumeTrue(argument != Argument.BENCH_CONFIG || endless == Endless.DEV_ZERO);   // bench reads MNIST first
        count("endless inputs (/dev/zero, endless text, one endless line)");
        String out = dir.resolve("endless.richard").toString();
        Outcome outcome;
        if (endless == Endless.DEV_ZERO) {
            assumeTrue(Files.exists(Path.of("/dev/zero")));
            outcome = run(argument, "/dev/zero", new ByteArrayInputStream(new byte[0]), out);
        } else {
            byte[] chunk = (endless == Endless.ENDLESS_TEXT ? "a: 1\nb,1,2,3,4\n" : "1,").repeat(4096)
                    .getBytes(StandardCharsets.US_ASCII);
            Path fifo = fifo("endless");
            Feeder writer = new Feeder(fifo, chunk, true);
            try {
                outcome = run(argument, fifo.toString(), new ByteArrayInputStream(new byte[0]), out);
            } finally {
                writer.finish();
                Files.delete(fifo);
            }
        }
        assertEquals(2, outcome.status(), argument + " fed " + endless + ": " + outcome);
        List<String> errors = outcome.err().lines().filter(l -> l.startsWith("richard: error: ")).toList();
        assertFalse(errors.isEmpty(), outcome.toString());
        assertTrue(errors.get(0).contains("INPUT"), "the message names the input: " + errors);
        assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome);
        assertFalse(Files.exists(Path.of(out)), "nothing written");
    }
}
