package io.richard.cli;

import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.kernel.Kernels;
import picocli.CommandLine.Option;

/** Options of the commands that run a network: the ND4J backend, its threads and the layers' kernels. */
final class EngineOptions {

    /** The values of --kernels. */
    enum KernelChoice { plain, fast }

    @Option(names = "--kernels", paramLabel = "plain|fast",
            description = "How the layers compute their sums: fast (scheduled for ND4J's CPU backend, the default "
                    + "there) or plain (the equations as explicit array operations, any backend; slower). Both give "
                    + "the same results up to float rounding.")
    KernelChoice kernels;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to use (default 1). For a network with a convolutional layer every mini-batch "
                    + "(training) and every batch (evaluation, prediction) is split between N threads (measured "
                    + "1.4–1.5× faster training and 1.4–1.9× faster evaluation with 2 on 2 cores); otherwise "
                    + "the matrix products use N threads. ND4J's element-wise kernels use OMP_NUM_THREADS (the "
                    + "launcher's default: 1).")
    Integer threads;

    @Option(names = "--backend", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "The ND4J backend: cpu (this build) or cuda (a build made with -Pcuda). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-x", "--gpu"}, description = "Same as --backend cuda (the reference's flag).")
    boolean gpu;

    /**
     * How many threads share each mini-batch in training ({@link Trainer.Builder#parallel}) and each batch in
     * evaluation and prediction ({@link Network#evaluate(io.richard.api.data.LabelledDataSet, int, int)}):
     * --threads for a network with a convolutional layer ({@link Network#splitsWell}), 1 otherwise. Splitting pays off when a batch is mostly
     * work on activations; a dense network's mini-batch of 32 is mostly reading its weight matrices, which every
     * thread would read again (measured: dense example 1.9 s per epoch on one thread, 2.3 s split in two; its
     * evaluation no faster split than with two BLAS threads; CNN 1.4–1.5× faster training and 1.4–1.9× faster
     * evaluation split in two, docs/performance.md).
     */
    int splitThreads(Network network) {
        return threads != null && threads > 1 && network.splitsWell() ? threads : 1;
    }

    /** Checks the backend and sets the threads, before any ND4J work. */
    void apply() {
        Backend.require(gpu ? "cuda" : backend);
        if (threads != null) {
            Backend.threads(threads);
        }
        kernels();
    }

    /** The kernels asked for with --kernels, else the backend's default. */
    Kernels kernels() {
        if (kernels == null) {
            return Kernels.forBackend();
        }
        try {
            return Kernels.named(kernels.name());
        } catch (UnsupportedOperationException e) {
            throw new UsageException("--kernels " + kernels + ": " + e.getMessage());
        }
    }

    /** {@code network} on the kernels asked for with --kernels (the same parameters); as it is without the option. */
    Network onKernels(Network network) {
        return kernels == null ? network : network.withKernels(kernels());
    }
}
