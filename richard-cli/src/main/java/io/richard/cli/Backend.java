package io.richard.cli;

import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import io.richard.api.Quote;

/** The ND4J backend and its threads. */
final class Backend {

    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final String CPU_BACKEND_CLASS = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    private Backend() {
    }

    /**
     * Checks that the requested backend ({@code cpu} or {@code cuda}) is in this build, before ND4J loads.
     *
     * @throws UsageException saying how to get the other backend
     */
    static void require(String backend) {
        String name = backend.toLowerCase(Locale.ROOT);
        switch (name) {
            case "cpu" -> {
                if (!present(CPU_BACKEND_CLASS)) {
                    throw new UsageException("the CPU backend is not in this build (it was built with -Pcuda);"
                            + " rebuild without it: mvn -B -DskipTests -pl richard-cli -am package");
                }
            }
            case "cuda", "gpu" -> {
                if (!present(CUDA_BACKEND_CLASS)) {
                    throw new UsageException("the CUDA backend is not in this build, which runs on the CPU;"
                            + " build with CUDA (needs an NVIDIA GPU and CUDA 11.6): "
                            + "mvn -B -Pcuda -DskipTests -pl richard-cli -am package");
                }
            }
            default -> throw new UsageException("unknown backend " + Quote.single(backend) + "; expected cpu or cuda");
        }
    }

    static boolean present(String className) {
        try {
            Class.forName(className, false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Sets the BLAS pool to {@code n} threads. ND4J's own pool (element-wise kernels) keeps the size
     * OMP_NUM_THREADS gave it when the native library loaded: ND4J 1.0.0-M2.1 ignores
     * {@code Environment.setMaxThreads} (measured).
     */
    static void threads(int n) {
        if (n <= 0) {
            throw new UsageException("--threads must be a positive number, got " + n);
        }
        Nd4j.factory().blas().setMaxThreads(n);
    }

    /** The BLAS pool's threads. */
    static int threads() {
        return Nd4j.factory().blas().getMaxThreads();
    }

    /** A short description, e.g. "CPU backend, 2 BLAS threads, 1 ND4J thread". */
    static String describe() {
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String kind = name.contains("Cublas") || name.contains("Cuda") ? "CUDA" : "CPU";
        int blas = threads();
        int nd4j = Nd4j.getEnvironment().maxThreads();
        return kind + " backend, " + blas + " BLAS thread" + (blas == 1 ? "" : "s") + ", " + nd4j + " ND4J thread"
                + (nd4j == 1 ? "" : "s");
    }
}
