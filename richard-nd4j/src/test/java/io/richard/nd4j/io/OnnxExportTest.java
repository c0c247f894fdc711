package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.Normalization;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ONNX export run by ONNX Runtime (Java, CPU, test scope only): on raw inputs the exported graph must give what
 * {@link Network#output} gives on the normalised ones, within 1e-5, with the same predicted classes. The networks
 * have random weights and biases everywhere and non-square kernels, pooling regions and inputs with several
 * channels, so a transposed axis, a flipped kernel, a missing transB or a dropped bias cannot pass by symmetry.
 */
class OnnxExportTest {

    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** Two convolutions of several channels, non-square kernels (3×4, 2×1) and regions (2×3, 1×2), on 12×9×3. */
    static ModelSpec twoConvolutions() {
        NetworkSpec layers = NetworkSpec.builder().hyperparams(1, 10, 10)
                .convolutional(4, 3, 4, 0.1)          // [12, 9, 3] → [10, 6, 4]
                .maxPooling(2, 3)                     // → [5, 2, 4]
                .convolutional(5, 2, 1, 0.1)          // → [4, 2, 5]
                .maxPooling(1, 2)                     // → [4, 1, 5]
                .dense(7, 0.1)
                .output(3, 0.1);
        return ModelSpec.of(List.of("a", "b", "c"), new Shape(12, 9, 3), new Normalization(-2, 6), layers);
    }

    @Test
    void twoConvolutionsWithNonSquareKernelsAndRegions() throws Exception {
        check(randomised(Network.create(twoConvolutions(), 1), 11), 40, 12);
    }

    @Test
    void denseFirstOnPlanarInputAndPoolingFirst() throws Exception {
        NetworkSpec dense = NetworkSpec.builder().hyperparams(1, 10, 10).dense(6, 0.1).output(3, 0.1);
        check(randomised(Network.create(ModelSpec.of(List.of("x", "y", "z"), new Shape(5, 4, 2),
                new Normalization(0, 255), dense), 2), 12), 30, 13);
        NetworkSpec pooled = NetworkSpec.builder().hyperparams(1, 10, 10).maxPooling(3, 2)    // [6, 4, 2] → [2, 2, 2]
                .convolutional(3, 2, 1, 0.1)                                                 // → [1, 2, 3]
                .output(4, 0.1);
        check(randomised(Network.create(ModelSpec.of(List.of("p", "q", "r", "s"), new Shape(6, 4, 2),
                new Normalization(1, 3), pooled), 3), 13), 30, 14);
    }

    @Test
    void aFloat64NetworkIsExportedInFloat32() throws Exception {
        check(randomised(Network.create(twoConvolutions(), 4, DataType.DOUBLE), 15), 20, 16);
    }

    /** A softmax output layer is a Softmax over each sample's outputs; the output's words say so. */
    @Test
    void aSoftmaxOutputLayer() throws Exception {
        ModelSpec convolutions = twoConvolutions();
        NetworkSpec softmax = NetworkSpec.builder().hyperparams(1, 10, 10).convolutional(4, 3, 4, 0.1)
                .maxPooling(2, 3).dense(7, 0.1).output(new OutputLayerSpec(3, 0.1, "softmax", "crossEntropy"));
        Network network = randomised(Network.create(convolutions.withNetwork(softmax), 7), 19);
        check(network, 30, 20);
        try (OrtSession session = session(OnnxExport.toBytes(network, Map.of()))) {
            assertTrue(session.getMetadata().getCustomMetadata().get("output").startsWith("softmax probabilities of"
                    + " the output layer, float32 (N, 3)"));
        }
    }

    @Test
    void metadataNamesAndShapes() throws Exception {
        Network network = randomised(Network.create(twoConvolutions(), 5), 17);
        byte[] onnx = OnnxExport.toBytes(network, Map.of("trainedBy", "a test", "classes", "overwritten"));
        try (OrtSession session = session(onnx)) {
            OnnxModelMetadata meta = session.getMetadata();
            assertEquals("richard", meta.getProducerName());
            assertTrue(meta.getDescription().startsWith("A richard classifier of 3 classes: [12, 9, 3] → conv 4@3×4"),
                    meta.getDescription());
            Map<String, String> custom = meta.getCustomMetadata();
            ObjectMapper json = new ObjectMapper();
            assertEquals(List.of("a", "b", "c"), json.readValue(custom.get("classes"), List.class));
            JsonNode model = json.readTree(custom.get("model"));
            assertEquals(ModelJson.toTree(network.model()), model, "the model description");
            assertEquals("a test", custom.get("trainedBy"));
            assertEquals("[-2, 6]", custom.get("normalization"));
            assertTrue(custom.get("input").startsWith("raw sample values, float32 (N, 324)"), custom.get("input"));
            NodeInfo input = session.getInputInfo().get(OnnxExport.INPUT);
            assertArrayEquals(new long[] {-1, 324}, ((TensorInfo) input.getInfo()).getShape());
            NodeInfo output = session.getOutputInfo().get(OnnxExport.OUTPUT);
            assertArrayEquals(new long[] {-1, 3}, ((TensorInfo) output.getInfo()).getShape());
        }
    }

    @Test
    void savedAtomicallyAndUnwritableOutputsRefused() throws IOException {
        Network network = Network.create(twoConvolutions(), 6);
        Path file = dir.resolve("m.onnx");
        Files.writeString(file, "old");
        OnnxExport.save(file, network, Map.of());
        assertArrayEquals(OnnxExport.toBytes(network, Map.of()), Files.readAllBytes(file), "the whole model");
        Path underAFile = file.resolve("x.onnx");
        assertThrows(OutputFiles.Refused.class, () -> OnnxExport.save(underAFile, network, Map.of()));
        assertThrows(OutputFiles.Refused.class, () -> OnnxExport.save(dir, network, Map.of()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("m.onnx"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file");
        }
    }

    /** Every parameter set to uniform values in [−0.5, 0.5) from {@code seed} (biases too: they start at 0). */
    static Network randomised(Network network, long seed) {
        Random random = new Random(seed);
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                INDArray value = p.value();
                double[] values = new double[(int) value.length()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextDouble() - 0.5;
                }
                value.assign(Nd4j.create(values, value.shape(), 'c').castTo(value.dataType()));
            }
        }
        return network;
    }

    /**
     * Exports {@code network}, runs {@code n} random raw samples through ONNX Runtime and compares every output with
     * {@link Network#output} of the same samples normalised as the data loaders do, and every predicted class.
     */
    static void check(Network network, int n, long seed) throws OrtException {
        ModelSpec model = network.model();
        Normalization norm = model.data().normalization();
        int size = model.inputShape().size();
        Random random = new Random(seed);
        float[] raw = new float[n * size];
        float[] normalised = new float[n * size];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) (norm.min() + (norm.max() - norm.min()) * random.nextDouble());
            normalised[i] = (float) norm.apply(raw[i]);
        }
        INDArray expected = network.output(Nd4j.create(normalised, new long[] {n, size}, 'c'));
        float[][] actual = run(OnnxExport.toBytes(network, Map.of()), raw, n, size);
        assertEquals(n, actual.length);
        double worst = 0;
        int classes = model.classes().size();
        for (int s = 0; s < n; s++) {
            assertEquals(classes, actual[s].length);
            for (int k = 0; k < classes; k++) {
                worst = Math.max(worst, Math.abs(actual[s][k] - expected.getDouble(s, k)));
            }
        }
        System.out.printf(java.util.Locale.ROOT, "ONNX export of %s (%s): max |ONNX Runtime - Network.output| = %.3g"
                + " over %d samples%n", model.inputShape(), network.dataType(), worst, n);
        assertTrue(worst <= TOLERANCE, "max |ONNX Runtime − Network.output| = " + worst);
        assertArrayEquals(Network.argmax(expected), argmax(actual), "predicted classes");
        assertFalse(allEqual(actual), "outputs that differ between samples (a test that can tell)");
    }

    /** ONNX Runtime's outputs of {@code onnx} on rows of {@code raw} values. */
    static float[][] run(byte[] onnx, float[] raw, int n, int size) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = session(onnx);
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw), new long[] {n, size});
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            return (float[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
        }
    }

    static OrtSession session(byte[] onnx) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(onnx, options);
        }
    }

    static int[] argmax(float[][] outputs) {
        int[] classes = new int[outputs.length];
        for (int s = 0; s < outputs.length; s++) {
            for (int k = 1; k < outputs[s].length; k++) {
                if (outputs[s][k] > outputs[s][classes[s]]) {
                    classes[s] = k;
                }
            }
        }
        return classes;
    }

    private static boolean allEqual(float[][] outputs) {
        for (float[] row : outputs) {
            if (!java.util.Arrays.equals(row, outputs[0])) {
                return false;
            }
        }
        return true;
    }
}
