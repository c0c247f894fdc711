package io.richard.cli;

import picocli.CommandLine.Option;

/** Options of the commands that run a network: the ND4J backend and its threads. */
final class EngineOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for ND4J's OpenMP and BLAS pools; the richard launcher also sets "
                    + "OMP_NUM_THREADS from it (default 1, measured faster than 2 for mini-batches of 32 on 2 cores).")
    Integer threads;

    @Option(names = "--backend", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "The ND4J backend: cpu (this build) or cuda (a build made with -Pcuda). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-x", "--gpu"}, description = "Same as --backend cuda (the reference's flag).")
    boolean gpu;

    /** Checks the backend and sets the threads, before any ND4J work. */
    void apply() {
        Backend.require(gpu ? "cuda" : backend);
        if (threads != null) {
            Backend.threads(threads);
        }
    }
}
