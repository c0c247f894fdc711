package io.richard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import io.richard.api.Quote;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.data.IdxReader;
import io.richard.nd4j.data.InMemoryDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code richard bench}: times training of the example networks on full MNIST, the measurement that performance
 * work is judged by. Only the training epochs are timed; start-up, data loading and test evaluation are reported
 * on their own lines.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Times training of the example dense or CNN network on full MNIST.",
            "",
            "Trains the network of richard-examples/configs/mnist-<net>.yaml on MNIST read from DIR (train-* and "
                + "t10k-* IDX files, gzipped or not) and ends with one line:",
            "  bench net=<dense|cnn> epochs=<n> threads=<t> sec_per_epoch=<s> samples_per_sec=<r> test_acc=<a> "
                + "peak_rss_mb=<m>",
            "sec_per_epoch is the median over the epochs of the training time alone (forward, backward, update and "
                + "batch assembly, with a new shuffled order every epoch); test_acc is measured on all t10k images "
                + "after the last epoch. Every epoch uses all training samples (or --limit of them), whatever the "
                + "config's batchSize.",
            "threads is --threads: the CNN splits each mini-batch between that many threads, the dense network "
                + "gives them to the matrix products. The richard launcher exports OMP_NUM_THREADS=1 and "
                + "OMP_WAIT_POLICY=PASSIVE (ND4J reads them when it loads) unless they are set.",
            ""})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The MNIST folder.")
    Path data;

    @Option(names = "--net", paramLabel = "dense|cnn", defaultValue = "dense",
            description = "The network: dense (784-320-64-10) or cnn (conv32 3×3, pool, conv64 4×4, pool, dense 64, "
                    + "output 10). Default: ${DEFAULT-VALUE}.")
    String net;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--limit", paramLabel = "N",
            description = "Train on the first N samples only (quick runs); sec_per_epoch is then for N samples.")
    Integer limit;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Another config to time instead of the example one (its layers and mini-batch size are used).")
    Path config;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "12345",
            description = "Seed of the shuffles (the initial weights use seed 0). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    EngineOptions engine;

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        if (!net.equals("dense") && !net.equals("cnn")) {
            throw new UsageException("--net must be dense or cnn, got " + Quote.single(net));
        }
        if (epochs <= 0) {
            throw new UsageException("--epochs must be positive, got " + epochs);
        }
        engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        TrainingConfig training = config != null ? ConfigReader.read(config)
                : Examples.config(Examples.Kind.valueOf(net));

        long loadStart = System.nanoTime();
        int trainLimit = limit == null ? Integer.MAX_VALUE : limit;
        InMemoryDataSet train = IdxReader.loadMnist(data, true, trainLimit);
        InMemoryDataSet test = IdxReader.loadMnist(data, false, Integer.MAX_VALUE);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

        ModelSpec model = training.model();
        Hyperparams configured = model.network().hyperparams();
        ModelSpec timed = model.withNetwork(model.network().withHyperparams(
                new Hyperparams(epochs, train.size(), configured.miniBatchSize())));
        Network network = engine.onKernels(Network.create(timed, 0));
        int split = engine.splitThreads(network);
        out.printf(Locale.ROOT, "setup net=%s jvm_to_ready_sec=%.2f data_load_sec=%.2f train_samples=%d "
                        + "test_samples=%d mini_batch=%d training_threads=%d kernels=%s backend=\"%s\"%n",
                net, (System.currentTimeMillis() - jvmStart) / 1e3, loadSeconds, train.size(), test.size(),
                configured.miniBatchSize(), split, engine.kernels().name(), Backend.describe());
        out.flush();

        List<EpochResult> results = new ArrayList<>();
        TrainingListener printer = new TrainingListener() {
            @Override
            public void epochFinished(EpochResult result) {
                results.add(result);
                out.printf(Locale.ROOT, "epoch %d train_sec=%.3f cost=%.6f peak_rss_mb=%d%n", result.epoch() + 1,
                        result.seconds(), result.meanCost(), peakRssMb());
                out.flush();
            }
        };
        Trainer.builder(network).parallel(split).shuffle(seed).listener(printer).build()
                .fit(train);

        long evalStart = System.nanoTime();
        Evaluation evaluation = network.evaluate(test, 1000, split);
        double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
        double secPerEpoch = median(results.stream().mapToDouble(EpochResult::seconds).toArray());
        out.printf(Locale.ROOT, "eval test_samples=%d eval_sec=%.3f%n", evaluation.samples(), evalSeconds);
        out.printf(Locale.ROOT, "bench net=%s epochs=%d threads=%d sec_per_epoch=%.3f samples_per_sec=%.0f "
                        + "test_acc=%.4f peak_rss_mb=%d%n",
                net, results.size(), engine.threads == null ? 1 : engine.threads, secPerEpoch,
                train.size() / secPerEpoch, evaluation.accuracy(), peakRssMb());
        out.flush();
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The process's peak resident set (heap, off-heap and native), from /proc; -1 where there is none. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
