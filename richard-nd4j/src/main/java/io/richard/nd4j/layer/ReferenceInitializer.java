package io.richard.nd4j.layer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initial parameters as the reference draws them: every weight from N(0, 0.1), every bias 0.
 *
 * <p>With seed 0 the values are the reference's own: it keeps one 32-bit Mersenne Twister for dense weight
 * matrices and another for convolution kernels, both seeded with 0, and draws float normals with libstdc++'s
 * Marsaglia polar method, starting a fresh distribution (dropping its cached spare value) for each weight
 * matrix and for each kernel. Dense weights are filled row by row, one row per output neuron; each kernel
 * x fastest, then y, then input channel. Another seed gives another, equally reproducible, network.
 */
public final class ReferenceInitializer {

    /** The reference's standard deviation for every weight. */
    public static final float STD = 0.1f;

    private final Mt19937 matrixEngine;
    private final Mt19937 kernelEngine;

    public ReferenceInitializer(long seed) {
        this.matrixEngine = new Mt19937(seed);
        this.kernelEngine = new Mt19937(seed);
    }

    /** A dense layer's weights (n_out, n_in), drawn row-major from the matrix engine. */
    public INDArray denseWeights(int outputs, int inputs, DataType dataType) {
        float[] values = new float[Math.multiplyExact(outputs, inputs)];
        new PolarNormal(matrixEngine).fill(values, 0, values.length);
        return Nd4j.create(values, new long[] {outputs, inputs}, DataType.FLOAT).castTo(dataType);
    }

    /** A convolutional layer's kernels (D, C, kH, kW), drawn filter by filter from the kernel engine. */
    public INDArray kernels(int depth, int channels, int kernelHeight, int kernelWidth, DataType dataType) {
        int perFilter = Math.multiplyExact(Math.multiplyExact(channels, kernelHeight), kernelWidth);
        float[] values = new float[Math.multiplyExact(depth, perFilter)];
        for (int d = 0; d < depth; d++) {
            new PolarNormal(kernelEngine).fill(values, d * perFilter, perFilter);
        }
        return Nd4j.create(values, new long[] {depth, channels, kernelHeight, kernelWidth}, DataType.FLOAT)
                .castTo(dataType);
    }

    /** libstdc++'s {@code std::normal_distribution<float>(0, 0.1)} over one engine: Marsaglia's polar method. */
    static final class PolarNormal {
        private final Mt19937 engine;
        private float saved;
        private boolean savedAvailable;

        PolarNormal(Mt19937 engine) {
            this.engine = engine;
        }

        void fill(float[] out, int from, int count) {
            for (int i = from; i < from + count; i++) {
                out[i] = next() * STD;
            }
        }

        float next() {
            if (savedAvailable) {
                savedAvailable = false;
                return saved;
            }
            float x;
            float y;
            float r2;
            do {
                x = 2.0f * uniform() - 1.0f;
                y = 2.0f * uniform() - 1.0f;
                r2 = x * x + y * y;
            } while (r2 > 1.0f || r2 == 0.0f);
            float mult = (float) Math.sqrt((float) (-2 * (float) Math.log(r2)) / r2);
            saved = x * mult;
            savedAvailable = true;
            return y * mult;
        }

        /** {@code generate_canonical<float, 24>}: one 32-bit output divided by 2^32, kept below 1. */
        private float uniform() {
            float u = (float) (engine.nextInt() & 0xFFFFFFFFL) / 4294967296.0f;
            return u >= 1.0f ? Math.nextDown(1.0f) : u;
        }
    }

    /** The 32-bit Mersenne Twister {@code std::mt19937}. */
    static final class Mt19937 {
        private static final int N = 624;
        private static final int M = 397;
        private final int[] mt = new int[N];
        private int index;

        Mt19937(long seed) {
            mt[0] = (int) seed;
            for (int i = 1; i < N; i++) {
                mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
            }
            index = N;
        }

        int nextInt() {
            if (index >= N) {
                twist();
            }
            int y = mt[index++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            y ^= y >>> 18;
            return y;
        }

        private void twist() {
            for (int i = 0; i < N; i++) {
                int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
                int next = mt[(i + M) % N] ^ (y >>> 1);
                if ((y & 1) != 0) {
                    next ^= 0x9908b0df;
                }
                mt[i] = next;
            }
            index = 0;
        }
    }
}
