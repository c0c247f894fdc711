package io.richard.cli;

import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.train.TrainingState;
import io.richard.nd4j.data.CsvDataSet;
import io.richard.nd4j.io.Checkpoint;
import io.richard.nd4j.io.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --checkpoint-every} and {@code --resume} through the command line, in-process at one thread: resumed runs
 * end bit-identical to uninterrupted ones, and a diverging run stops with exit status 2, keeps the last good
 * checkpoint and touches no other file.
 */
class CheckpointCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private int threads;

    @BeforeEach
    void rememberThreads() {
        threads = Backend.threads();
    }

    @AfterEach
    void restoreThreads() {
        Backend.threads(threads);
    }

    private Path config() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Files.writeString(config, Fixtures.CSV_CONFIG
                .replace("{type: dense, size: 6, learnRate: 0.5}", "{type: dense, size: 6, learnRate: 0.5, dropoutRate: 0.2}")
                .replace("  test: test.csv\n", "  test: test.csv\n  shuffle: true\n  seed: 4\n"));
        return config;
    }

    private Fixtures.Result train(Path config, String model, String... more) {
        String[] args = new String[8 + more.length];
        System.arraycopy(new String[] {"train", config.toString(), "--model", dir.resolve(model).toString(),
            "--progress", "none", "--threads", "1"}, 0, args, 0, 8);
        System.arraycopy(more, 0, args, 8, more.length);
        return run(args);
    }

    /**
     * A CNN's mini-batches are split between --threads threads, whose gradients are summed in another grouping: a
     * resumed run that splits them otherwise says it will not continue the first exactly, and how to.
     */
    @Test
    void resumingWithAnotherSplitOfTheMiniBatchesSaysSo() throws IOException {
        Path config = Fixtures.imageProject(dir);
        String checkpoint = dir.resolve("c.richard.checkpoint").toString();
        Fixtures.Result first = run("train", config.toString(), "--model", dir.resolve("c.richard").toString(),
                "--progress", "none", "--threads", "2", "--epochs", "1", "--checkpoint-every", "1");
        assertEquals(0, first.status(), first::toString);
        assertEquals("2", Checkpoint.load(Path.of(checkpoint)).metadata().get("splitThreads"));
        Path again = Files.copy(Path.of(checkpoint), dir.resolve("again.checkpoint"));  // a resumed run writes its own

        Fixtures.Result alone = run("train", config.toString(), "--model", dir.resolve("c.richard").toString(),
                "--progress", "none", "--resume", checkpoint, "--epochs", "2", "--threads", "1");
        assertEquals(0, alone.status(), alone::toString);
        assertTrue(alone.err().contains("richard: warning: the checkpoint's run split each mini-batch between 2"
                + " threads and this one does not: the result will differ from an uninterrupted run by float"
                + " rounding; give --threads 2 to continue it exactly"), alone::toString);

        Fixtures.Result same = run("train", config.toString(), "--model", dir.resolve("d.richard").toString(),
                "--progress", "none", "--resume", again.toString(), "--epochs", "2", "--threads", "2");
        assertEquals(0, same.status(), same::toString);
        assertFalse(same.err().contains("float rounding"), same::toString);
    }

    /** The parameters of two model files are bit-identical. */
    static void assertSameParameters(Path expected, Path actual) {
        List<Layer> want = Models.load(expected).network().layers();
        List<Layer> got = Models.load(actual).network().layers();
        assertEquals(want.size(), got.size());
        for (int l = 0; l < want.size(); l++) {
            for (int p = 0; p < want.get(l).parameters().size(); p++) {
                Parameter w = want.get(l).parameters().get(p);
                Parameter g = got.get(l).parameters().get(p);
                assertArrayEquals(w.value().dup().data().asFloat(), g.value().dup().data().asFloat(),
                        "layer " + l + " " + w.name() + " of " + actual + " bit-identical to " + expected);
            }
        }
    }

    private static List<Double> costs(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream().map(line -> {
            try {
                return JSON.readTree(line).get("meanCost").asDouble();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    /** The config with an optimizer section after its hyperparams. */
    private Path config(String optimizer) throws IOException {
        Path config = config();
        Files.writeString(config, Files.readString(config).replace("    hiddenLayers:\n", "    optimizer: " + optimizer
                + "\n    hiddenLayers:\n"));
        return config;
    }

    @Test
    void anAdamRunResumedEndsBitIdenticalAndTheOptimiserCannotChange() throws IOException {
        Path config = config("{type: adam, beta2: 0.99}");
        Fixtures.Result straight = train(config, "a.richard", "--epochs", "3");
        assertEquals(0, straight.status(), straight::toString);
        assertTrue(straight.err().contains("  optimizer adam (β1 0.9, β2 0.99, ε 1.0e-8)"), straight::toString);

        Fixtures.Result first = train(config, "b.richard", "--epochs", "3", "--checkpoint-every", "7b");
        assertEquals(0, first.status(), first::toString);
        Path copy = dir.resolve("epoch-1.checkpoint");
        // a run of one epoch (10 mini-batches) writes its checkpoint at the end; Adam's moments and t go with it
        Fixtures.Result again = train(config, "c.richard", "--epochs", "1", "--checkpoint-every", "7b",
                "--checkpoint", copy.toString());
        assertEquals(0, again.status(), again::toString);
        TrainingState state = Checkpoint.load(copy).state();
        assertEquals("adam", state.optimizer());
        assertEquals(10.0, state.optimizerState().get("step").getDouble(0), "10 steps in the first epoch");

        Fixtures.Result resumed = train(config, "c.richard", "--resume", copy.toString(), "--epochs", "3");
        assertEquals(0, resumed.status(), resumed::toString);
        assertSameParameters(dir.resolve("a.richard"), dir.resolve("c.richard"));
        assertSameParameters(dir.resolve("a.richard"), dir.resolve("b.richard"));

        Path sgd = dir.resolve("sgd.yaml");
        Files.writeString(sgd, Files.readString(config).replace("    optimizer: {type: adam, beta2: 0.99}\n", ""));
        Fixtures.Result refused = train(sgd, "d.richard", "--resume", copy.toString(), "--epochs", "3");
        assertEquals(2, refused.status(), refused::toString);
        assertEquals("richard: error: " + sgd + ": classifier.network.optimizer is sgd, but the checkpoint " + copy
                + " was trained with adam; the optimiser (its type) cannot change when resuming\n", refused.err()
                .substring(refused.err().indexOf("richard: error:")));
    }

    @Test
    void resumingAfterTwoEpochsEndsBitIdenticalToFourEpochsInARow() throws IOException {
        Path config = config();
        Fixtures.Result straight = train(config, "a.richard", "--epochs", "4");
        assertEquals(0, straight.status(), straight::toString);

        Fixtures.Result first = train(config, "b.richard", "--epochs", "2", "--checkpoint-every", "1");
        assertEquals(0, first.status(), first::toString);
        assertTrue(first.err().contains("checkpoints every 1 epoch to " + dir.resolve("b.richard.checkpoint")),
                first::toString);
        TrainingState state = Checkpoint.load(dir.resolve("b.richard.checkpoint")).state();
        assertEquals(2, state.epoch());
        assertEquals(0, state.batch());

        Fixtures.Result second = train(config, "b.richard", "--resume", dir.resolve("b.richard.checkpoint").toString(),
                "--epochs", "4");
        assertEquals(0, second.status(), second::toString);
        assertTrue(second.err().contains("resume   " + dir.resolve("b.richard.checkpoint") + " at the end of epoch 2"),
                second::toString);
        assertTrue(second.out().contains("trained 2 epochs (resumed at epoch 3)"), second::toString);
        assertSameParameters(dir.resolve("a.richard"), dir.resolve("b.richard"));
        assertEquals(costs(dir.resolve("a.richard.metrics.jsonl")), costs(dir.resolve("b.richard.metrics.jsonl")),
                "the metrics file continues the first run's, epoch for epoch, with the same costs");
        assertEquals("4", Models.load(dir.resolve("b.richard")).metadata().get("epochs"));
        assertEquals(4, Checkpoint.load(dir.resolve("b.richard.checkpoint")).state().epoch(),
                "the checkpoint kept being written, at the interval it was made with");
    }

    @Test
    void resumingMidEpochEndsBitIdentical() throws IOException {
        Path config = config();
        Fixtures.Result straight = train(config, "a.richard", "--epochs", "3");
        assertEquals(0, straight.status(), straight::toString);

        // a checkpoint written after mini-batch 6 of epoch 2 (as Ctrl-C would leave it), made with the library
        TrainingConfig cfg = ConfigReader.read(config);
        Network network = Network.create(cfg.model(), 4);
        AtomicReference<Trainer> trainer = new AtomicReference<>();
        trainer.set(Trainer.builder(network).shuffle(4).listener(new TrainingListener() {
            @Override
            public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                if (epoch == 1 && samplesDone == 24) {
                    trainer.get().requestStop();
                }
            }
        }).build());
        int threadsBefore = Backend.threads();
        Backend.threads(1);
        try {
            trainer.get().fit(CsvDataSet.load(dir.resolve("train.csv"), cfg.model().data(), 7, Integer.MAX_VALUE));
        } finally {
            Backend.threads(threadsBefore);
        }
        Path checkpoint = dir.resolve("mid.checkpoint");
        Checkpoint.save(checkpoint, network, trainer.get().state(), Map.of());
        assertEquals("epoch 2 after mini-batch 6 (24 samples)", Checkpoint.load(checkpoint).state().describe());

        Fixtures.Result resumed = train(config, "b.richard", "--resume", checkpoint.toString(), "--epochs", "3");
        assertEquals(0, resumed.status(), resumed::toString);
        assertSameParameters(dir.resolve("a.richard"), dir.resolve("b.richard"));
        List<Double> want = costs(dir.resolve("a.richard.metrics.jsonl"));
        assertEquals(want.subList(1, 3), costs(dir.resolve("b.richard.metrics.jsonl")),
                "epoch 2's cost counts the 24 samples before the checkpoint");
    }

    @Test
    void aDivergingRunStopsWithStatusTwoKeepsTheLastGoodCheckpointAndWritesNoModel() throws IOException {
        Path config = config();
        // the rate grows a thousand-fold every epoch: fine at first, infinite after a few epochs
        Files.writeString(config, Files.readString(config).replace("outputLayer: {size: 2, learnRate: 0.5}",
                "outputLayer: {size: 2, learnRate: 0.5, learnRateDecay: 1000000}").replace("epochs: 2", "epochs: 30"));
        Path model = Files.writeString(dir.resolve("m.richard"), "an older model");
        Files.setLastModifiedTime(model, FileTime.fromMillis(1_000_000_000_000L));
        Path checkpoint = dir.resolve("m.richard.checkpoint");

        Fixtures.Result result = train(config, "m.richard", "--checkpoint-every", "1e");
        assertEquals(2, result.status(), result::toString);
        TrainingState kept = Checkpoint.load(checkpoint).state();
        String error = result.err().lines().filter(l -> l.startsWith("richard: error: ")).findFirst().orElseThrow();
        assertTrue(error.matches("richard: error: training diverged in epoch " + (kept.epoch() + 1) + ", mini-batch \\d+:"
                + " .*outputLayer \\(output\\) parameters? .* The steps are too large: lower learnRate \\(now"
                + " hiddenLayers\\[0] 0\\.5, outputLayer 0\\.5\\), e\\.g\\. to a tenth, or use smaller mini-batches"
                + " \\(gradients are summed over miniBatchSize 4\\)\\. The last good checkpoint, "
                + Pattern.quote(checkpoint.toString()) + " \\(the end of epoch " + kept.epoch() + "\\), is kept: after"
                + " lowering learnRate in " + Pattern.quote(config.toString()) + ", continue with --resume "
                + Pattern.quote(checkpoint.toString()) + "\\. The model " + Pattern.quote(model.toString())
                + " was not written\\."), error);
        assertTrue(kept.epoch() >= 2, "some epochs were fine: " + kept);
        assertEquals("an older model", Files.readString(model));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(model));
        assertEquals(1, result.err().lines().filter(l -> l.startsWith("richard: error:")).count());
        assertTrue(!result.err().contains("\tat "), result::toString);

        // resuming the kept checkpoint with the same rates diverges again and leaves the checkpoint as it is
        byte[] before = Files.readAllBytes(checkpoint);
        Fixtures.Result again = train(config, "m.richard", "--resume", checkpoint.toString());
        assertEquals(2, again.status(), again::toString);
        assertTrue(again.err().contains("continue with --resume " + checkpoint + ". The model " + model
                + " was not written."), again::toString);
        assertArrayEquals(before, Files.readAllBytes(checkpoint));

        // with a decay of 1 it trains on to the end
        Files.writeString(config, Files.readString(config).replace("learnRateDecay: 1000000", "learnRateDecay: 1"));
        Fixtures.Result fixed = train(config, "m.richard", "--resume", checkpoint.toString(), "--epochs",
                Integer.toString(kept.epoch() + 1));
        assertEquals(0, fixed.status(), fixed::toString);
        assertEquals(kept.epoch() + 1, Checkpoint.load(checkpoint).state().epoch());
    }

    private static final class Pattern {
        static String quote(String s) {
            return java.util.regex.Pattern.quote(s);
        }
    }
}
