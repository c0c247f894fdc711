package io.richard.examples.bench;

import java.util.concurrent.TimeUnit;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.ConvolutionalLayerSpec;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.MaxPoolingLayerSpec;
import io.richard.nd4j.layer.ReferenceInitializer;
import io.richard.nd4j.activation.Sigmoid;
import io.richard.nd4j.layer.ConvolutionalLayer;
import io.richard.nd4j.layer.DenseLayer;
import io.richard.nd4j.kernel.Layouts;
import io.richard.nd4j.layer.MaxPoolingLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The forward and backward passes of each layer of the example networks, on a mini-batch of 32 in float32, with
 * the shapes they have in the MNIST CNN and dense network. Run (see the README's benchmark section):
 *
 * <pre>
 * mvn -B -q -DskipTests -pl richard-examples -am package
 * OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE java -cp "$(cat richard-examples/target/jmh-classpath.txt)" \
 *     org.openjdk.jmh.Main LayerBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LayerBench {

    /** Which layer: its kind and the input it sees in the example networks. */
    @Param({"conv32-3x3-on-28x28x1", "maxpool-2x2-on-26x26x32", "conv64-4x4-on-13x13x32", "maxpool-2x2-on-10x10x64",
        "dense320-on-784", "dense64-on-1600"})
    public String layer;

    @Param("32")
    public int miniBatch;

    private Layer subject;
    private INDArray input;
    private INDArray gradOutput;

    @Setup
    public void setUp() {
        ReferenceInitializer init = new ReferenceInitializer(0);
        switch (layer) {
            case "conv32-3x3-on-28x28x1" -> subject = conv(init, new Shape(28, 28, 1), 32, 3);
            case "maxpool-2x2-on-26x26x32" -> subject = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2),
                    new Shape(26, 26, 32));
            case "conv64-4x4-on-13x13x32" -> subject = conv(init, new Shape(13, 13, 32), 64, 4);
            case "maxpool-2x2-on-10x10x64" -> subject = new MaxPoolingLayer(new MaxPoolingLayerSpec(2, 2),
                    new Shape(10, 10, 64));
            case "dense320-on-784" -> subject = dense(init, new Shape(784, 1, 1), 320);
            case "dense64-on-1600" -> subject = dense(init, new Shape(5, 5, 64), 64);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        }
        Nd4j.getRandom().setSeed(1);
        INDArray flat = Nd4j.rand(DataType.FLOAT, miniBatch, subject.inputShape().size());
        // the input arrives as the previous layer would give it: flat for the first layer, spatial after a conv/pool
        input = layer.startsWith("conv32") || layer.startsWith("dense320") ? flat
                : Layouts.spatial(flat, subject.inputShape());
        INDArray output = subject.forward(input, Mode.TRAINING);
        gradOutput = Nd4j.rand(DataType.FLOAT, output.shape()).subi(0.5);
    }

    @Benchmark
    public INDArray forwardInference() {
        return subject.forward(input, Mode.INFERENCE);
    }

    @Benchmark
    public INDArray forwardAndBackward() {
        subject.forward(input, Mode.TRAINING);
        return subject.backward(gradOutput, !layer.startsWith("conv32") && !layer.startsWith("dense320"));
    }

    private static Layer conv(ReferenceInitializer init, Shape input, int depth, int kernel) {
        ConvolutionalLayerSpec spec = new ConvolutionalLayerSpec(depth, kernel, kernel, 0.01);
        return new ConvolutionalLayer(spec, input, init.kernels(depth, input.depth(), kernel, kernel, DataType.FLOAT),
                Nd4j.zeros(DataType.FLOAT, 1, depth), 1);
    }

    private static Layer dense(ReferenceInitializer init, Shape input, int size) {
        return new DenseLayer(new DenseLayerSpec(size, 0.1), input, Sigmoid.INSTANCE,
                init.denseWeights(size, input.size(), DataType.FLOAT), Nd4j.zeros(DataType.FLOAT, 1, size), 1);
    }
}
