package io.richard.examples.bench;

import java.util.concurrent.TimeUnit;
import io.richard.nd4j.kernel.Blas;
import io.richard.nd4j.kernel.Blas.Matrix;
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
 * The matrix products of one convolution pass, in the schedules the layer could use (why
 * {@code ConvolutionalLayer} uses one product per kernel row, or per output image row when kH·C ≥ 64;
 * docs/performance.md, points 10 and 17):
 * <ul>
 *   <li>{@code perOffset}: one product per kernel element (i, j), inner dimension C;</li>
 *   <li>{@code perKernelRow}: one product per kernel row j and phase t, inner dimension kW·C, reading kW
 *       consecutive input rows as one ({@link Matrix#joinRows}) at the full-output rows r = q·kW + t;</li>
 *   <li>{@code byOutputRow}: one product per output image row y and kernel column i over the valid positions
 *       only, inner dimension kH·C, on the input stacked by kernel row (the stacking copy is not timed). The layer
 *       keeps the input gradient per kernel row, so {@code inputGradient} runs that schedule here.</li>
 * </ul>
 * The first two compute the same sums over the same "full" rows (W/W' times the useful ones). Run:
 *
 * <pre>
 * mvn -B -q -DskipTests -pl richard-examples -am package
 * OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 \
 *     java -cp "richard-examples/target/classes:$(cat richard-examples/target/jmh-classpath.txt)" \
 *     org.openjdk.jmh.Main ConvolutionGemmBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConvolutionGemmBench {

    /** The convolution: its kernels and the input they see in the example CNN. */
    @Param({"conv64-4x4-on-13x13x32", "conv32-3x3-on-28x28x1"})
    public String layer;

    @Param({"perOffset", "perKernelRow", "byOutputRow"})
    public String schedule;

    @Param("32")
    public int miniBatch;

    private int k;          // kernel width = height
    private int C;
    private int D;
    private long NW;        // rows per image row of the mini-batch: N · W
    private long full;      // full output rows: H' · N · W
    private Matrix X;       // the input rows, followed by k − 1 zero rows
    private Matrix kernels; // (k·k·C, D), rows (j, i, c)
    private Matrix z;
    private Matrix delta;
    private Matrix gradKernels;
    private Matrix gradX;
    private int outWidth;        // W' (= H': the example's images and kernels are square)
    private Matrix stacked;      // by output row: the input stacked by kernel row, (H'·W·N, k·C), rows (y, x, n)
    private Matrix zRows;        // by output row: (H'·W'·N, D), rows (y, x, n)
    private Matrix deltaRows;

    @Setup
    public void setUp() {
        int H;
        switch (layer) {
            case "conv64-4x4-on-13x13x32" -> { H = 13; C = 32; D = 64; k = 4; }
            case "conv32-3x3-on-28x28x1" -> { H = 28; C = 1; D = 32; k = 3; }
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        }
        NW = (long) miniBatch * H;
        full = (H - k + 1) * NW;
        Nd4j.getRandom().setSeed(1);
        X = Matrix.of(Nd4j.rand(DataType.FLOAT, H * NW + k - 1, C));
        kernels = Matrix.of(Nd4j.rand(DataType.FLOAT, (long) k * k * C, D));
        z = Matrix.of(Nd4j.create(DataType.FLOAT, full, D));
        delta = Matrix.of(Nd4j.rand(DataType.FLOAT, full, D));
        gradKernels = Matrix.of(Nd4j.create(DataType.FLOAT, (long) k * k * C, D));
        gradX = Matrix.of(Nd4j.create(DataType.FLOAT, H * NW + k - 1, C));
        outWidth = H - k + 1;
        stacked = Matrix.of(Nd4j.rand(DataType.FLOAT, outWidth * NW, (long) k * C));
        zRows = Matrix.of(Nd4j.create(DataType.FLOAT, (long) outWidth * outWidth * miniBatch, D));
        deltaRows = Matrix.of(Nd4j.rand(DataType.FLOAT, (long) outWidth * outWidth * miniBatch, D));
    }

    /** (24): z += window · W for every offset. */
    @Benchmark
    public INDArray forward() {
        if (schedule.equals("byOutputRow")) {
            for (int y = 0; y < outWidth; y++) {
                for (int i = 0; i < k; i++) {
                    Blas.gemm(stackedWindow(y, i), false, columnKernel(kernels, i), false, outputRow(zRows, y), 1.0,
                            1.0);
                }
            }
            return zRows.array();
        }
        for (int j = 0; j < k; j++) {
            for (int s = 0; s < k; s++) {
                if (schedule.equals("perOffset")) {
                    Blas.gemm(offsetWindow(X, s, j), false, offsetKernel(kernels, s, j), false, z, 1.0, 1.0);
                } else {
                    Blas.gemm(rowWindow(X, j, s), false, rowKernel(kernels, j), false, phase(z, s), 1.0, 1.0);
                }
            }
        }
        return z.array();
    }

    /** (28): ∇W = windowᵀ · δ for every offset. */
    @Benchmark
    public INDArray kernelGradient() {
        if (schedule.equals("byOutputRow")) {
            for (int i = 0; i < k; i++) {
                for (int y = 0; y < outWidth; y++) {
                    Blas.gemm(stackedWindow(y, i), true, outputRow(deltaRows, y), false, columnKernel(gradKernels, i),
                            1.0, y == 0 ? 0.0 : 1.0);
                }
            }
            return gradKernels.array();
        }
        for (int j = 0; j < k; j++) {
            for (int s = 0; s < k; s++) {
                if (schedule.equals("perOffset")) {
                    Blas.gemm(offsetWindow(X, s, j), true, delta, false, offsetKernel(gradKernels, s, j), 1.0, 0.0);
                } else {
                    Blas.gemm(rowWindow(X, j, s), true, phase(delta, s), false, rowKernel(gradKernels, j), 1.0,
                            s == 0 ? 0.0 : 1.0);
                }
            }
        }
        return gradKernels.array();
    }

    /** (27): ∇X[window] += δ · Wᵀ for every offset. */
    @Benchmark
    public INDArray inputGradient() {
        for (int j = 0; j < k; j++) {
            for (int s = 0; s < k; s++) {
                if (schedule.equals("perOffset")) {
                    Blas.gemm(delta, false, offsetKernel(kernels, s, j), true, offsetWindow(gradX, s, j), 1.0, 1.0);
                } else {
                    Blas.gemm(phase(delta, s), false, rowKernel(kernels, j), true, rowWindow(gradX, j, s), 1.0, 1.0);
                }
            }
        }
        return gradX.array();
    }

    /** The stacked rows that kernel column i meets at output row y: W'·N rows from (y, i, first sample) on. */
    private Matrix stackedWindow(int y, int i) {
        return stacked.rows(((long) y * (NW / miniBatch) + i) * miniBatch, (long) outWidth * miniBatch);
    }

    /** The W'·N rows of output image row y. */
    private Matrix outputRow(Matrix rows, int y) {
        return rows.rows((long) y * outWidth * miniBatch, (long) outWidth * miniBatch);
    }

    /** Kernel column i of a (k·k·C, D) stack, rows (j, c): the same numbers in the order by output row uses. */
    private Matrix columnKernel(Matrix stack, int i) {
        return stack.rows((long) i * k * C, (long) k * C);
    }

    private Matrix offsetWindow(Matrix rows, int i, int j) {
        return rows.rows(j * NW + i, full);
    }

    private Matrix offsetKernel(Matrix stacked, int i, int j) {
        return stacked.rows(((long) j * k + i) * C, C);
    }

    private Matrix rowWindow(Matrix rows, int j, int t) {
        long phaseRows = (full - t + k - 1) / k;
        return rows.rows(j * NW + t, phaseRows * k).joinRows(k);
    }

    private Matrix rowKernel(Matrix stacked, int j) {
        return stacked.rows((long) j * k * C, (long) k * C);
    }

    private Matrix phase(Matrix rows, int t) {
        return rows.rows(t, full - t).everyRow(k);
    }
}
