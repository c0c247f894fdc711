package io.richard.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import io.richard.cli.Richard;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.ModelArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code richard train CONFIG --spark MASTER}, in this JVM: the command line finds richard-spark on the class
 * path, trains on local[2] with the same outputs as on one machine, resumes per round, and refuses bad input with
 * one line and exit status 2, writing nothing.
 */
class SparkCommandTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void noSharedContext() {
        LocalSpark.stop();                                  // the command starts and stops its own
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    static Result run(Object... args) {
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = args[i].toString();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Richard.run(strings, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    /** Two classes of 4 values, a in [0, 4] and b in [6, 10]; averaged every 2 mini-batches on 2 partitions. */
    static final String CONFIG = """
            data:
              classes: [a, b]
              shape: [2, 2, 1]
              normalization: {min: 0, max: 10}
            dataLoader:
              fetchSize: 7
            classifier:
              network:
                hyperparams: {epochs: 2, batchSize: 1000, miniBatchSize: 4}
                hiddenLayers:
                  - {type: dense, size: 6, learnRate: 0.5, dropoutRate: 0.2}
                outputLayer: {size: 2, learnRate: 0.5, learnRateDecay: 0.9}
            training:
              data: train.csv
              test: test.csv
              shuffle: true
            spark:
              averageEvery: 2
              partitions: 2
            """;

    Path project(int rows) throws IOException {
        Files.writeString(dir.resolve("train.csv"), rows(rows, new Random(1)));
        Files.writeString(dir.resolve("test.csv"), rows(20, new Random(2)));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        return config;
    }

    static String rows(int n, Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean b = i % 2 == 1;
            text.append(b ? "b" : "a");
            for (int v = 0; v < 4; v++) {
                text.append(',').append(b ? 6 + random.nextInt(5) : random.nextInt(5));
            }
            text.append('\n');
        }
        return text.toString();
    }

    @Test
    void trainsOnLocalSparkWithTheSingleMachinesOutputs() throws IOException {
        Path config = project(80);
        Path model = dir.resolve("m.richard");
        Result result = run("train", config, "--spark", "local[2]", "-o", model, "--progress", "none");
        assertEquals(0, result.status(), result.toString());
        assertTrue(result.err().contains("  spark    Spark 4."), result.err());
        assertTrue(result.err().contains("2 partitions, parameters averaged every 2 mini-batches, cache memory"),
                result.err());
        assertTrue(result.err().contains("80 samples (CSV, read by Spark in 2 partitions"), result.err());
        assertTrue(result.out().contains("epoch 2/2  cost "), result.out());
        assertTrue(result.out().contains("trained 2 epochs"), result.out());
        List<String> metrics = Files.readAllLines(dir.resolve("m.richard.metrics.jsonl"));
        assertEquals(2, metrics.size(), metrics.toString());
        assertTrue(metrics.get(1).contains("\"testAccuracy\":"), metrics.get(1));
        var saved = ModelArchive.load(model);
        assertEquals("local[2]", saved.metadata().get("spark.master"));
        assertEquals("2", saved.metadata().get("spark.averageEvery"));
        Result eval = run("eval", model, dir.resolve("test.csv"));
        assertEquals(0, eval.status(), eval.toString());
        assertTrue(eval.out().contains("accuracy"), eval.out());
    }

    /** Per-round checkpoints: a run stopped after epoch 1 and resumed ends as the uninterrupted run, bit for bit. */
    @Test
    void aRunResumedFromItsCheckpointEndsAsAnUninterruptedOne() throws IOException {
        Path config = project(80);
        Result whole = run("train", config, "--spark", "local[2]", "-o", dir.resolve("whole.richard"), "--progress",
                "none");
        assertEquals(0, whole.status(), whole.toString());
        Result first = run("train", config, "--spark", "local[2]", "-o", dir.resolve("part.richard"), "--epochs", "1",
                "--checkpoint-every", "1b", "--progress", "none");
        assertEquals(0, first.status(), first.toString());
        Path checkpoint = dir.resolve("part.richard.checkpoint");
        assertTrue(Files.exists(checkpoint));
        Result rest = run("train", config, "--spark", "local[2]", "-o", dir.resolve("part.richard"), "--resume",
                checkpoint, "--epochs", "2", "--progress", "none");
        assertEquals(0, rest.status(), rest.toString());
        assertTrue(rest.err().contains("resume   " + checkpoint + " at the end of epoch 1"), rest.err());
        Network expected = ModelArchive.load(dir.resolve("whole.richard")).network();
        Network resumed = ModelArchive.load(dir.resolve("part.richard")).network();
        assertArrayEquals(Parameters.of(expected), Parameters.of(resumed));
        assertEquals(2, Files.readAllLines(dir.resolve("part.richard.metrics.jsonl")).size());
    }

    @Test
    void badInputIsOneLineAndExitStatus2AndNoModel() throws IOException {
        Path config = project(40);
        Path model = dir.resolve("m.richard");
        String csv = dir.resolve("train.csv").toString();

        assertError("richard: error: --spark nonsense[2]: not a Spark master URL; expected local[N], local[N,F],"
                + " spark://HOST:PORT, yarn or k8s://HOST:PORT", "train", config, "--spark", "nonsense[2]", "-o", model);
        assertError("richard: error: --spark local[0]: local mode needs at least 1 thread, e.g. local[2]",
                "train", config, "--spark", "local[0]", "-o", model);
        assertError("richard: error: --spark yarn: Spark's YARN support is not on this class path; submit"
                + " richard-spark/target/richard-spark-submit.jar with the cluster's spark-submit --master yarn"
                + " (docs/spark.md, spark-submit)", "train", config, "--spark", "yarn", "-o", model);
        assertError("richard: error: --spark spark://127.0.0.1:1: cannot reach the Spark master: 127.0.0.1:1"
                + " (Connection refused); is the master running, and is the address the one its log shows?",
                "train", config, "--spark", "spark://127.0.0.1:1", "-o", model);
        assertError("richard: error: file://" + dir + "/missing.csv: no such file or directory",
                "train", config, "--spark", "local[2]", "--data", "file://" + dir + "/missing.csv", "-o", model);
        assertStartsWith("richard: error: nosuch://x/y: cannot be read: No FileSystem for scheme",
                "train", config, "--spark", "local[2]", "--data", "nosuch://x/y", "-o", model);

        // a row of the second partition's part that does not match data.shape: its file and line
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("train.csv")));
        lines.set(30, "b,7,8,9");
        Files.write(dir.resolve("train.csv"), lines);
        assertError("richard: error: " + csv + ":31: row has 3 values after the label, but data.shape needs 4"
                + " (expected LABEL,v1,…,v4)", "train", config, "--spark", "local[2]", "-o", model);
        lines.set(30, "c,7,8,9,6");
        Files.write(dir.resolve("train.csv"), lines);
        assertError("richard: error: " + csv + ":31: label 'c' is not one of data.classes [a, b]",
                "train", config, "--spark", "local[2]", "-o", model);

        // early stopping (issue 19) is the single-machine trainer's: refused before Spark starts
        Files.writeString(config, CONFIG.replace("  shuffle: true\n",
                "  shuffle: true\n  earlyStopping: {patience: 2}\n"));
        assertError("richard: error: " + config + ": training.earlyStopping is not available with --spark yet: train"
                + " without it, or on one machine", "train", config, "--spark", "local[2]", "-o", model);
        assertFalse(Files.exists(model));
        assertFalse(Files.exists(dir.resolve("m.richard.metrics.jsonl")));
    }

    private static void assertError(String expected, Object... args) {
        Result result = run(args);
        assertEquals(2, result.status(), result.toString());
        assertEquals(expected + "\n", result.err().lines().filter(l -> l.startsWith("richard: error:"))
                .findFirst().orElse("") + "\n", result.toString());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result);
    }

    private static void assertStartsWith(String expected, Object... args) {
        Result result = run(args);
        assertEquals(2, result.status(), result.toString());
        assertTrue(result.err().contains(expected), result.toString());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result);
    }
}
