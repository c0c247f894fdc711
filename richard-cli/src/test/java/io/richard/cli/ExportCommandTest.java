package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.richard.api.spec.Normalization;
import io.richard.cli.Fixtures.Result;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.OnnxExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code richard export}: the example dense and CNN networks, trained briefly from their shipped configs and exported
 * from an archive, a checkpoint and a network file of the C++ Richard, run in ONNX Runtime on the raw values of the
 * 2,000 shipped test digits; every output within 1e-5 of {@link Network#output} on the normalised digits, every
 * predicted class the same. Bad input: one line, exit status 2, nothing written.
 */
class ExportCommandTest {

    @TempDir
    Path dir;

    private static Path root() {
        return Home.root().orElseThrow();
    }

    @Test
    void denseExampleFromANetworkFileOfTheCppRichard() throws Exception {
        Path net = dir.resolve("dense.net");
        Result train = run(args("train", root().resolve("richard-examples/configs/mnist-dense.yaml"), "-o", net,
                "--model-format", "reference", "--epochs", 1, "--limit", 1000, "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        exportAndCompare(net, dir.resolve("dense.onnx"), Integer.MAX_VALUE);
    }

    @Test
    void cnnExampleFromAnArchiveAndItsCheckpoint() throws Exception {
        Path model = dir.resolve("cnn.richard");
        Result train = run(args("train", root().resolve("richard-examples/configs/mnist-cnn.yaml"), "-o", model,
                "--epochs", 1, "--limit", 500, "--checkpoint-every", 1, "--progress", "none"));
        assertEquals(0, train.status(), train::toString);
        exportAndCompare(model, dir.resolve("cnn.onnx"), Integer.MAX_VALUE);
        exportAndCompare(dir.resolve("cnn.richard.checkpoint"), dir.resolve("cnn-checkpoint.onnx"), 200);
    }

    /**
     * Exports {@code model} with the command and compares ONNX Runtime with Network.output on the first {@code limit}
     * test digits.
     */
    private static void exportAndCompare(Path model, Path onnx, int limit) throws IOException, OrtException {
        Result export = run(args("export", model, "-o", onnx));
        assertEquals(0, export.status(), export::toString);
        assertTrue(export.out().startsWith("exported " + model + " to " + onnx + ": ONNX opset 13"), export::toString);

        Network network = Models.load(model).network();
        Path mnist = root().resolve("richard-examples/data/mnist");
        Path images = mnist.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = mnist.resolve("t10k-labels-idx1-ubyte.gz");
        InMemoryDataSet normalised = IdxReader.load(images, labels, network.model().classes(),
                network.model().data().normalization(), limit);
        InMemoryDataSet raw = IdxReader.load(images, labels, network.model().classes(), new Normalization(0, 1),
                limit);                                              // (x − 0) / 1: the bytes as they are in the file
        assertEquals(Math.min(2000, limit), raw.size());
        INDArray expected = network.output(normalised.features());
        float[] rawValues = raw.features().dup('c').data().asFloat();
        int n = raw.size();
        int size = (int) raw.features().columns();
        float[][] actual;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx.toString(), options);
                    OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(rawValues), new long[] {n, size});
                    OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
                actual = (float[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
                assertEquals("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]",
                        session.getMetadata().getCustomMetadata().get("classes"));
                assertTrue(session.getMetadata().getCustomMetadata().get("exportedFrom").startsWith(model.toString()));
            }
        }
        double worst = 0;
        int[] classes = new int[n];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < 10; k++) {
                worst = Math.max(worst, Math.abs(actual[s][k] - expected.getDouble(s, k)));
                if (actual[s][k] > actual[s][classes[s]]) {
                    classes[s] = k;
                }
            }
        }
        System.out.printf(Locale.ROOT, "richard export %s: max |ONNX Runtime - Network.output| = %.3g over %d test"
                + " digits%n", model.getFileName(), worst, n);
        assertTrue(worst <= 1e-5, "max |ONNX Runtime − Network.output| = " + worst);
        assertArrayEquals(Network.argmax(expected), classes, "every predicted class the same");
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        assertEquals(0, run(args("train", config, "-o", model, "--epochs", 1, "--progress", "none")).status());
        Path out = dir.resolve("m.onnx");
        Files.writeString(dir.resolve("garbage.richard"), "not a model\n");
        List<Object[]> cases = List.of(
                new Object[] {"export", dir.resolve("missing.richard"), "-o", out},
                new Object[] {"export", config, "-o", out},
                new Object[] {"export", dir.resolve("garbage.richard"), "-o", out},
                new Object[] {"export", model, "-o", dir},
                new Object[] {"export", model, "-o", model},
                new Object[] {"export", model, "-o", dir.resolve("test.csv/m.onnx")},
                new Object[] {"export", model, "-o", out, "--no-such-option"},
                new Object[] {"export", "-"});
        byte[] modelBytes = Files.readAllBytes(model);
        for (Object[] arguments : cases) {
            Result r = run(args(arguments));
            assertEquals(2, r.status(), r::toString);
            assertTrue(r.err().startsWith("richard: error: ") && r.err().strip().lines().count() == 1, r::toString);
            assertFalse(r.err().contains("Exception"), r::toString);
            assertFalse(Files.exists(out), "no ONNX file written: " + r);
        }
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(".")).toList(),
                    "no temporary or lock file left");
        }
        Result ok = run(args("export", model, "-o", out));
        assertEquals(0, ok.status(), ok::toString);
        assertTrue(new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1).contains("richard"));
    }
}
