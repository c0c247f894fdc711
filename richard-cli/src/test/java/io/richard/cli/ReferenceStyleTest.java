package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C++ Richard's --train / --eval / --gen invocation. */
class ReferenceStyleTest {

    @TempDir
    Path dir;

    @Test
    void trainAndEvalWithTheReferenceFlags() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path network = dir.resolve("network");
        Result train = run(args("--train", "--samples", dir.resolve("train.csv"), "--config", config,
                "--network", network, "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        assertTrue(Files.exists(network));

        Result eval = run(args("-e", "-s", dir.resolve("test.csv"), "-n", network, "-c", config));
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("accuracy "), eval::toString);
        assertTrue(eval.err().contains("richard: warning: unused option '--config'"), eval::toString);

        Result shortTrain = run(args("-t", "-s", dir.resolve("train.csv"), "-c", config, "-n", dir.resolve("n2"),
                "--epochs=1", "--progress=none"));
        assertEquals(0, shortTrain.status(), shortTrain::toString);
        assertTrue(shortTrain.out().contains("trained 1 epoch"), shortTrain::toString);
    }

    @Test
    void genTrainPrintsTheReferenceJsonConfig() throws IOException {
        Result gen = run("--gen", "train");
        assertEquals(0, gen.status(), gen::toString);
        JsonNode json = new ObjectMapper().readTree(gen.out());
        assertEquals(320, json.at("/classifier/network/hiddenLayers/0/size").asInt());
        assertEquals(0, run("-g", "train").status());
        Result other = run("--gen", "eval");
        assertEquals(2, other.status());
        assertEquals("richard: error: Expected app type to be one of ['train'], got 'eval'\n", other.err());
    }

    @Test
    void translation() {
        StringWriter warnings = new StringWriter();
        PrintWriter err = new PrintWriter(warnings, true);
        assertArrayEquals(new String[] {"train", "--reference-option-names", "c.json", "--data", "s.csv", "--model",
            "n", "--backend", "cuda", "--log", "l.txt"}, LegacyArgs.translate(new String[] {"--train", "-s", "s.csv",
                "--config=c.json", "-n", "n", "-x", "-l", "l.txt"}, err));
        assertArrayEquals(new String[] {"eval", "--reference-option-names", "n", "s"}, LegacyArgs.translate(
            new String[] {"--eval", "--samples", "s", "--network", "n"}, err));
        assertArrayEquals(new String[] {"train", "x.yaml"}, LegacyArgs.translate(new String[] {"train", "x.yaml"}, err));
        assertEquals("", warnings.toString());
    }

    /** Messages about the files name the options the user typed: --network, not -o; --config, not CONFIG. */
    @Test
    void messagesNameTheReferenceOptions() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Result overConfig = run(args("--train", "--samples", dir.resolve("train.csv"), "--config", config,
                "-n", config));
        assertEquals(2, overConfig.status(), overConfig::toString);
        assertEquals("richard: error: the model " + config + " (--network) is the same file as the config " + config
                + " (--config); writing it would destroy the config. Give --network another file\n", overConfig.err());
        Result overSamples = run(args("-t", "-s", dir.resolve("train.csv"), "-c", config, "--network",
                dir.resolve("train.csv")));
        assertEquals(2, overSamples.status(), overSamples::toString);
        assertTrue(overSamples.err().contains("(--network) is the same file as the training data " + dir.resolve(
                "train.csv") + " (--samples)"), overSamples::toString);
        Result modern = run(args("train", config, "-o", config));
        assertTrue(modern.err().contains(" (-o) is the same file as the config " + config + " (CONFIG)"),
                modern::toString);
    }

    @Test
    void referenceUsageErrors() {
        Result none = run("--train", "--eval", "-s", "x");
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("richard: error: expected exactly 1 of the following arguments: --train,"
                + " --eval, --gen"), none::toString);
        Result missing = run("--train", "--samples", "x.csv", "--network", "n");
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("richard: error: --train needs --config"), missing::toString);
        Result value = run("--eval", "--network");
        assertEquals(2, value.status());
        assertTrue(value.err().contains("option --network needs a value"), value::toString);
    }

    @Test
    void gpuFlagAsksForTheCudaBackendWhichThisBuildLacks() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Result gpu = run(args("--train", "-s", dir.resolve("train.csv"), "-c", config, "-n", dir.resolve("n"), "--gpu"));
        assertEquals(2, gpu.status(), gpu::toString);
        assertTrue(gpu.err().startsWith("richard: error: the CUDA backend is not in this build"), gpu::toString);
        assertTrue(gpu.err().contains("-Pcuda"), gpu::toString);
    }
}
