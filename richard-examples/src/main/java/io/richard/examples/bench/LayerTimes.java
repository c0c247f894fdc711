package io.richard.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.spec.ModelSpec;
import io.richard.examples.BuildNetwork;
import io.richard.examples.CnnMnist;
import io.richard.nd4j.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPU time per training mini-batch of each layer of an example network, the layers chained as in training: each
 * layer gets its input and its gradient in the layouts the layers next to it leave them in (views of a
 * convolution's rows, a pooling's gradient laid out like its input), which {@link LayerBench}'s layers alone do
 * not see. Thread CPU time, so another process on the machine slows it less than wall-clock time.
 *
 * <pre>
 * mvn -B -q -DskipTests -pl richard-examples -am package
 * OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 java -cp \
 *     "richard-examples/target/classes:$(cat richard-examples/target/jmh-classpath.txt)" \
 *     io.richard.examples.bench.LayerTimes cnn 300
 * </pre>
 *
 * Arguments: {@code dense} or {@code cnn}, then the number of timed mini-batches (default 300; 30 more run first
 * as a warm-up). The input is random (timing does not depend on the values); the mini-batch is 32.
 */
public final class LayerTimes {

    private static final int MINI_BATCH = 32;
    private static final int WARM_UP = 30;

    private LayerTimes() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || !(args[0].equals("dense") || args[0].equals("cnn"))) {
            System.err.println("usage: LayerTimes dense|cnn [MINI_BATCHES]");
            System.exit(2);
        }
        int batches;
        try {
            batches = args.length == 2 ? Integer.parseInt(args[1]) : 300;
        } catch (NumberFormatException e) {
            batches = -1;
        }
        if (batches <= 0) {
            System.err.println("MINI_BATCHES must be a positive whole number, got '" + args[1] + "'");
            System.exit(2);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            System.err.println("this JVM cannot measure a thread's CPU time");
            System.exit(1);
        }
        ModelSpec model = args[0].equals("cnn") ? CnnMnist.cnnMnist(1, 60_000) : BuildNetwork.denseMnist(1, 60_000);
        Network network = Network.create(model, 0);
        List<Layer> layers = network.layers();
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, MINI_BATCH, model.inputShape().size());
        long[] forward = new long[layers.size()];
        long[] backward = new long[layers.size()];
        for (int b = 0; b < WARM_UP + batches; b++) {
            boolean timed = b >= WARM_UP;
            INDArray a = x;
            for (int l = 0; l < layers.size(); l++) {
                long start = threads.getCurrentThreadCpuTime();
                a = layers.get(l).forward(a, Mode.TRAINING);
                forward[l] += timed ? threads.getCurrentThreadCpuTime() - start : 0;
            }
            INDArray gradient = a.dup();              // any ∂C/∂a of the output's shape times the same
            for (int l = layers.size() - 1; l >= 0; l--) {
                long start = threads.getCurrentThreadCpuTime();
                gradient = layers.get(l).backward(gradient, l > 0);
                backward[l] += timed ? threads.getCurrentThreadCpuTime() - start : 0;
            }
        }
        System.out.printf(Locale.ROOT, "%s network, %d mini-batches of %d, CPU ms per mini-batch%n", args[0], batches,
                MINI_BATCH);
        double total = 0;
        for (int l = 0; l < layers.size(); l++) {
            double f = forward[l] / 1e6 / batches;
            double g = backward[l] / 1e6 / batches;
            total += f + g;
            System.out.printf(Locale.ROOT, "%d %-14s %-14s forward %6.2f  backward %6.2f%n", l,
                    layers.get(l).spec().type(), layers.get(l).outputShape(), f, g);
        }
        System.out.printf(Locale.ROOT, "all layers %.2f ms%n", total);
    }
}
