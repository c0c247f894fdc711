package io.richard.cli;

import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.richard.nd4j.io.Checkpoint;
import io.richard.nd4j.io.Models;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What shapes a run is said and kept: {@code --limit} limits the training set only (the test set stays whole
 * unless {@code --test-limit}), the run and {@code summary} say what was limited, and a checkpoint carries the
 * epochs, limits, data and resizing so that {@code --resume} continues the same run without repeating them.
 */
class RunOptionsTest {

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

    private Fixtures.Result train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", dir.resolve("config.yaml").toString(),
                "--progress", "none", "--threads", "1"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void limitLeavesTheTestSetWholeAndSaysWhatItLimited() throws IOException {
        Fixtures.csvProject(dir);
        Fixtures.Result limited = train("-o", dir.resolve("a.richard").toString(), "--limit", "8");
        assertEquals(0, limited.status(), limited::toString);
        assertTrue(limited.err().contains("train.csv: 8 samples (CSV, the first 8: --limit 8, read in"), limited::toString);
        assertTrue(limited.err().contains("test.csv: 10 samples (CSV, all of them: --limit leaves the test set whole,"
                + " --test-limit N limits it)"), limited::toString);
        Fixtures.Result summary = run("summary", dir.resolve("a.richard").toString());
        assertTrue(summary.out().contains("training 2 of 2 epochs of 8 samples (the first 8 of the data: --limit 8;"
                + " batchSize 1,000), mini-batches of 4; test set 10 samples\n"), summary::toString);

        Fixtures.Result both = train("-o", dir.resolve("b.richard").toString(), "--limit", "8", "--test-limit", "4");
        assertEquals(0, both.status(), both::toString);
        assertTrue(both.err().contains("test.csv: 4 samples (CSV, the first 4: --test-limit 4)"), both::toString);
        assertTrue(run("summary", dir.resolve("b.richard").toString()).out().contains(
                "; test set 4 samples (--test-limit 4)\n"));

        Fixtures.Result all = train("-o", dir.resolve("c.richard").toString());
        assertTrue(run("summary", dir.resolve("c.richard").toString()).out().contains(
                "training 2 of 2 epochs of 40 samples (all the data had; batchSize 1,000), mini-batches of 4;"
                + " test set 10 samples\n"), all::toString);
    }

    @Test
    void theConfigsTestLimitLimitsTheTestSet() throws IOException {
        Fixtures.csvProject(dir);
        Files.writeString(dir.resolve("config.yaml"), Fixtures.CSV_CONFIG + "  limit: 12\n  testLimit: 3\n");
        Fixtures.Result result = train("-o", dir.resolve("a.richard").toString());
        assertEquals(0, result.status(), result::toString);
        assertTrue(result.err().contains("train.csv: 12 samples (CSV, the first 12: --limit 12"), result::toString);
        assertTrue(result.err().contains("test.csv: 3 samples (CSV, the first 3: --test-limit 3)"), result::toString);
    }

    /**
     * A run planned for 5 epochs on the first 8 samples, checkpointed at the end of epoch 2 (as a stop would leave
     * it), resumes without repeating --epochs or --limit and ends bit-identical to the run never stopped.
     */
    @Test
    void resumeUsesTheCheckpointsEpochsAndLimitsAndEndsAsTheUninterruptedRun() throws IOException {
        Fixtures.csvProject(dir);
        Fixtures.Result straight = train("-o", dir.resolve("a.richard").toString(), "--epochs", "5", "--limit", "8",
                "--test-limit", "6");
        assertEquals(0, straight.status(), straight::toString);

        Fixtures.Result first = train("-o", dir.resolve("b.richard").toString(), "--epochs", "2", "--limit", "8",
                "--test-limit", "6", "--checkpoint-every", "1");
        assertEquals(0, first.status(), first::toString);
        Path checkpoint = dir.resolve("b.richard.checkpoint");
        Checkpoint saved = Checkpoint.load(checkpoint);
        assertEquals("8", saved.metadata().get("limit"));
        assertEquals("6", saved.metadata().get("testLimit"));
        assertEquals(dir.resolve("train.csv").toString(), saved.metadata().get("data"), "absolute");
        Map<String, String> planned = new LinkedHashMap<>(saved.metadata());
        planned.put("epochsPlanned", "5");                                     // it had been started for 5 epochs
        Checkpoint.save(checkpoint, saved.network(), saved.state(), planned);

        Fixtures.Result resumed = train("-o", dir.resolve("b.richard").toString(), "--resume", checkpoint.toString());
        assertEquals(0, resumed.status(), resumed::toString);
        assertTrue(resumed.err().contains("resume   " + checkpoint + " at the end of epoch 2 with the checkpoint's"
                + " options: epochs 5 (" + dir.resolve("config.yaml") + " says 2), --limit 8, --test-limit 6; give an"
                + " option again to change it\n"), resumed::toString);
        assertTrue(resumed.err().contains("train.csv: 8 samples"), resumed::toString);
        assertTrue(resumed.err().contains("test.csv: 6 samples"), resumed::toString);
        assertTrue(resumed.out().contains("trained 3 epochs (resumed at epoch 3)"), resumed::toString);
        CheckpointCliTest.assertSameParameters(dir.resolve("a.richard"), dir.resolve("b.richard"));
        assertEquals(Files.readAllLines(dir.resolve("a.richard.metrics.jsonl")).size(),
                Files.readAllLines(dir.resolve("b.richard.metrics.jsonl")).size());

        // an option given again overrides the checkpoint's, and the run says the result will differ
        Checkpoint.save(checkpoint, saved.network(), saved.state(), planned);
        Fixtures.Result overridden = train("-o", dir.resolve("c.richard").toString(), "--resume",
                checkpoint.toString(), "--checkpoint", dir.resolve("c.checkpoint").toString(), "--limit", "12",
                "--epochs", "3");
        assertEquals(0, overridden.status(), overridden::toString);
        assertTrue(overridden.err().contains("train.csv: 12 samples"), overridden::toString);
        assertTrue(overridden.err().contains("the checkpoint was trained on 8 samples per epoch, this data gives 12"),
                overridden::toString);
        assertEquals("3", Models.load(dir.resolve("c.richard")).metadata().get("epochs"));
    }

    @Test
    void resumeFromAnotherWorkingDirectoryFindsTheCheckpointsDataWhenTheConfigNamesNone() throws IOException {
        Fixtures.csvProject(dir);
        Files.writeString(dir.resolve("config.yaml"), Fixtures.CSV_CONFIG.replace("  data: train.csv\n", ""));
        Fixtures.Result first = train("-o", dir.resolve("m.richard").toString(), "--data",
                dir.resolve("train.csv").toString(), "--checkpoint-every", "1", "--epochs", "1");
        assertEquals(0, first.status(), first::toString);
        Fixtures.Result resumed = train("-o", dir.resolve("m.richard").toString(), "--resume",
                dir.resolve("m.richard.checkpoint").toString(), "--epochs", "2");
        assertEquals(0, resumed.status(), resumed::toString);
        assertTrue(resumed.err().contains("with the checkpoint's options: training data " + dir.resolve("train.csv")),
                resumed::toString);
    }
}
