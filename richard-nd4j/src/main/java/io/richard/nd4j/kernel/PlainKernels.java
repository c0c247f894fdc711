package io.richard.nd4j.kernel;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import io.richard.api.Activation;
import io.richard.api.Mode;
import io.richard.api.Shape;
import io.richard.api.spec.Size2D;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The plain kernels: the equations of the seed as explicit INDArray operations, to be read beside it.
 *
 * <p>Spatial activations are (N, C, H, W) arrays: sample n, channel k, row y, column x, so that
 * {@code A[n][k][y][x]} is a<sub>x,y,k</sub> of sample n. In C order that is the reference's flat order (x
 * fastest, then y, then channel), so a network's flat input is the same memory and a dense layer after a
 * convolution reads it as it is. Kernels W are (D, C, kH, kW): {@code W[d][k][j][i]} is w<sub>i,j,k</sub><sup>d</sup>.
 * Every pass makes new arrays; nothing here depends on the backend.
 */
final class PlainKernels implements Kernels {

    static final PlainKernels INSTANCE = new PlainKernels();

    private PlainKernels() {
    }

    @Override
    public LinearKernel dense(Shape input, int outputs) {
        return new Dense(input);
    }

    @Override
    public LinearKernel correlation(Shape input, Size2D kernel, int depth) {
        return new Correlation(input, kernel);
    }

    @Override
    public PoolingKernel pooling(Shape input, Size2D region) {
        return new Pooling(input, region);
    }

    @Override
    public INDArray flat(INDArray activations, Shape shape) {
        return flatten(activations, shape);
    }

    @Override
    public INDArray spatial(INDArray flat, Shape shape) {
        return nchw(flat, shape);
    }

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public String toString() {
        return name();
    }

    /** (N, C, H, W) of a flat (N, W·H·D) input (the same memory when it is in C order), or a spatial array as it is. */
    private static INDArray nchw(INDArray a, Shape shape) {
        return a.rank() == 4 ? a : a.reshape('c', a.size(0), shape.depth(), shape.height(), shape.width());
    }

    /** (N, W·H·D) in the reference's order of an (N, C, H, W) array, or a flat array as it is. */
    private static INDArray flatten(INDArray a, Shape shape) {
        return a.rank() == 2 ? a : a.reshape('c', a.size(0), shape.size());
    }

    /** The input gradient in the layout its input came in: flat (rank 2) or spatial (rank 4). */
    private static INDArray as(INDArray gradient, int rank, Shape shape) {
        return rank == 2 ? flatten(gradient, shape) : nchw(gradient, shape);
    }

    /** The products of a dense layer: one row per sample, W is (n_out, n_in), b is (1, n_out). */
    private static final class Dense implements LinearKernel {
        private final Shape input;
        // kept from the last training pass
        private int inputRank;
        private INDArray aPrev;
        private INDArray a;

        Dense(Shape input) {
            this.input = input;
        }

        @Override
        public INDArray weightedSums(INDArray aPrev, INDArray W, INDArray b, Mode mode) {
            INDArray x = flatten(aPrev, input);
            if (mode.isTraining()) {
                this.inputRank = aPrev.rank();
                this.aPrev = x;
            }
            return x.mmul(W.transpose()).addiRowVector(b);                   // (4) z = W a + b, one row per sample
        }

        @Override
        public INDArray activate(Activation f, INDArray z, Mode mode) {
            INDArray a = f.applyInPlace(z);                                  // (5) a = σ(z)
            if (mode.isTraining()) {
                this.a = a;
            }
            return a;
        }

        @Override
        public INDArray delta(Activation f, INDArray gradA) {
            return f.delta(gradA, a, a.ulike());                             // (8) δ = ∇a C ⊙ σ'(z)
        }

        @Override
        public void weightGradient(INDArray delta, INDArray gradW) {
            gradW.assign(delta.transpose().mmul(aPrev));                     // (9) Σ_n δ ⊗ a^{l−1}
        }

        @Override
        public void biasGradient(INDArray delta, INDArray gradB) {
            gradB.assign(delta.sum(true, 0));                                // (10) Σ_n δ
        }

        @Override
        public INDArray inputGradient(INDArray delta, INDArray W) {
            return as(delta.mmul(W), inputRank, input);                      // (13) Wᵀ δ, one row per sample
        }
    }

    /**
     * Valid cross-correlation, stride 1: the sums over i and j of (24), (27) and (28) are a loop over the kernel
     * offsets (i, j); for each offset, the sum over the channels k (or the kernels d) is one tensor product for
     * every sample and position at once.
     */
    private static final class Correlation implements LinearKernel {
        private final Shape input;
        private final int kW;
        private final int kH;
        private final long outH;
        private final long outW;
        // kept from the last training pass
        private int inputRank;
        private INDArray A;
        private INDArray a;

        Correlation(Shape input, Size2D kernel) {
            this.input = input;
            this.kW = kernel.width();
            this.kH = kernel.height();
            this.outW = input.width() - kW + 1;
            this.outH = input.height() - kH + 1;
        }

        @Override
        public INDArray weightedSums(INDArray aPrev, INDArray W, INDArray b, Mode mode) {
            INDArray A = nchw(aPrev, input);
            if (mode.isTraining()) {
                this.inputRank = aPrev.rank();
                this.A = A;
            }
            INDArray z = Nd4j.create(W.dataType(), A.size(0), W.size(0), outH, outW);
            for (int j = 0; j < kH; j++) {
                for (int i = 0; i < kW; i++) {
                    // (24) z^d_{x,y} += Σ_k w^d_{i,j,k} a_{x+i,y+j,k} for offset (i, j), every sample and position
                    z.addi(sumOverChannels(window(A, i, j), weights(W, i, j)));
                }
            }
            return Nd4j.getExecutioner().exec(new BroadcastAddOp(z, b.reshape(b.length()), z, 1)); // (24) + b^d
        }

        @Override
        public INDArray activate(Activation f, INDArray z, Mode mode) {
            INDArray a = f.applyInPlace(z);                                  // (25) a = R(z)
            if (mode.isTraining()) {
                this.a = a;
            }
            return a;
        }

        @Override
        public INDArray delta(Activation f, INDArray gradA) {
            return f.delta(nchw(gradA, shapeOf(a)), a, a.ulike());       // (26) δ = ∂C/∂a ⊙ R'(z)
        }

        @Override
        public void weightGradient(INDArray delta, INDArray gradW) {
            for (int j = 0; j < kH; j++) {
                for (int i = 0; i < kW; i++) {
                    // (28) ∂C/∂w^d_{i,j,k} = Σ_{x,y} δ^d_{x,y} a_{x+i,y+j,k}, summed over the mini-batch
                    weights(gradW, i, j).assign(Nd4j.tensorMmul(delta, window(A, i, j),
                            new int[][] {{0, 2, 3}, {0, 2, 3}}));
                }
            }
        }

        @Override
        public void biasGradient(INDArray delta, INDArray gradB) {
            gradB.assign(delta.sum(0, 2, 3).reshape(gradB.shape()));        // ∂C/∂b^d = Σ_{x,y} δ^d_{x,y}, Σ_n
        }

        @Override
        public INDArray inputGradient(INDArray delta, INDArray W) {
            INDArray gradA = Nd4j.zeros(delta.dataType(), delta.size(0), input.depth(), input.height(), input.width());
            for (int j = 0; j < kH; j++) {
                for (int i = 0; i < kW; i++) {
                    // (27) ∂C/∂a_{x+i,y+j,k} += Σ_d δ^d_{x,y} w^d_{i,j,k}: the full convolution of (27), offset by offset
                    window(gradA, i, j).addi(sumOverKernels(delta, weights(W, i, j)));
                }
            }
            return as(gradA, inputRank, input);
        }

        /** The inputs a_{x+i,y+j,k} that offset (i, j) meets at every output position: (N, C, H', W'), a view. */
        private INDArray window(INDArray A, int i, int j) {
            return A.get(all(), all(), interval(j, j + outH), interval(i, i + outW));
        }

        /** w^d_{i,j,k} for every kernel d and channel k: a (D, C) view of W. */
        private static INDArray weights(INDArray W, int i, int j) {
            return W.get(all(), all(), point(j), point(i));
        }

        /** Σ_k window_{n,k,y,x} w^d_k: (N, C, H', W') with (D, C) gives (N, D, H', W'). */
        private static INDArray sumOverChannels(INDArray window, INDArray w) {
            return Nd4j.tensorMmul(window, w, new int[][] {{1}, {1}}).permute(0, 3, 1, 2);
        }

        /** Σ_d δ_{n,d,y,x} w^d_k: (N, D, H', W') with (D, C) gives (N, C, H', W'). */
        private static INDArray sumOverKernels(INDArray delta, INDArray w) {
            return Nd4j.tensorMmul(delta, w, new int[][] {{1}, {0}}).permute(0, 3, 1, 2);
        }

        private static Shape shapeOf(INDArray spatial) {
            return new Shape((int) spatial.size(3), (int) spatial.size(2), (int) spatial.size(1));
        }
    }

    /**
     * Max pooling over rW × rH regions that tile the input, stride = region size. Seen as (N, C, H', rH, W', rW),
     * the input's region (x, y) is the block [y][·][x][·]; region offset o = j·rW + i, the input
     * a_{rW·x+i, rH·y+j} of every region (x, y), is the slice [·][·][·][j][·][i], shaped like the output. The
     * argmax mask of offset o is 1 where that input is its region's first maximum in scan order, 0 elsewhere.
     */
    private static final class Pooling implements PoolingKernel {
        private final Shape input;
        private final Shape output;
        private final int rW;
        private final int rH;
        // kept from the last training pass
        private int inputRank;
        private INDArray[] masks;

        Pooling(Shape input, Size2D region) {
            this.input = input;
            this.rW = region.width();
            this.rH = region.height();
            this.output = new Shape(input.width() / rW, input.height() / rH, input.depth());
        }

        @Override
        public INDArray max(INDArray aPrev, Mode mode) {
            INDArray regions = regions(nchw(aPrev, input));
            INDArray z = offset(regions, 0).dup();
            for (int o = 1; o < rW * rH; o++) {
                z = Transforms.max(z, offset(regions, o), false);           // (29) z = max_{i,j} a_{x+i,y+j}
            }
            if (mode.isTraining()) {
                this.inputRank = aPrev.rank();
                this.masks = new INDArray[rW * rH];
                INDArray unclaimed = Nd4j.onesLike(z);                       // regions whose maximum is not placed
                for (int o = 0; o < rW * rH; o++) {
                    // the argmax mask: 1 at the first offset, in scan order, that holds its region's maximum
                    masks[o] = offset(regions, o).eq(z).castTo(z.dataType()).muli(unclaimed);
                    unclaimed.subi(masks[o]);
                }
            }
            return z;
        }

        @Override
        public INDArray route(INDArray delta) {
            INDArray d = nchw(delta, output);
            INDArray gradA = Nd4j.zeros(d.dataType(), d.size(0), input.depth(), input.height(), input.width());
            INDArray gradRegions = regions(gradA);                           // a view: writes reach gradA
            for (int o = 0; o < rW * rH; o++) {
                offset(gradRegions, o).assign(masks[o].mul(d));              // (33) δ where the mask is 1, else 0
            }
            return as(gradA, inputRank, input);
        }

        /** An (N, C, H, W) array as (N, C, H', rH, W', rW): its regions' rows and columns on axes of their own. */
        private INDArray regions(INDArray A) {
            return A.reshape('c', A.size(0), input.depth(), output.height(), rH, output.width(), rW);
        }

        /** a_{rW·x+i, rH·y+j} of every region (x, y), for offset o = j·rW + i: an (N, C, H', W') view. */
        private INDArray offset(INDArray regions, int o) {
            return regions.get(all(), all(), all(), point(o / rW), all(), point(o % rW));
        }
    }
}
