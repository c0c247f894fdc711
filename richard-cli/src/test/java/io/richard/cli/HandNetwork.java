package io.richard.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A network computed by hand in float64, straight from the equations of spec/richard-math.md, one scalar at a
 * time: the expectation the command-line tests compare richard's results with. Its parameters are kept in the
 * order of the C++ program's network file (richard-reference.md §6), so they are read from and compared with
 * such files directly. Every 3-D array is flat with index c·W·H + y·W + x (x fastest, then y, then channel), the
 * reference's layout (§8).
 *
 * <p>Training is plain SGD with one sample per mini-batch: forward, back-propagation from (16)/(17), and the
 * update (11) of each layer with its λ, the gradients taken before the layer's parameters change. ReLU′(0) = 0, as
 * equation (26) says.
 */
final class HandNetwork {

    /** One layer; {@code forward} keeps what {@code backward} needs. */
    private interface HandLayer {
        double[] forward(double[] input);

        /** Takes ∂C/∂a of this layer's output, updates the parameters with step λ, returns ∂C/∂a of its input. */
        double[] backward(double[] gradOutput, double lambda);

        void parameters(List<Double> out);
    }

    private final List<HandLayer> layers = new ArrayList<>();
    private final float[] initial;
    private int next;
    private int width;
    private int height;
    private int depth;

    /** A network on inputs of shape [W, H, D] whose parameters are read from {@code fileParameters} as layers are added. */
    HandNetwork(int width, int height, int depth, float[] fileParameters) {
        this.width = width;
        this.height = height;
        this.depth = depth;
        this.initial = fileParameters;
    }

    private double take() {
        return initial[next++];
    }

    /** A sigmoid dense layer (or the output layer) of {@code n} neurons: biases, then weights row by row. */
    HandNetwork dense(int n) {
        int m = width * height * depth;
        double[] b = new double[n];
        double[][] W = new double[n][m];
        for (int i = 0; i < n; i++) {
            b[i] = take();
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                W[i][j] = take();
            }
        }
        layers.add(new Dense(W, b));
        width = n;
        height = 1;
        depth = 1;
        return this;
    }

    /** A ReLU convolutional layer of {@code d} kernels of kW × kH: per kernel its bias, then K(z, y, x). */
    HandNetwork convolutional(int d, int kW, int kH) {
        double[] b = new double[d];
        double[][][][] K = new double[d][depth][kH][kW];
        for (int f = 0; f < d; f++) {
            b[f] = take();
            for (int k = 0; k < depth; k++) {
                for (int j = 0; j < kH; j++) {
                    for (int i = 0; i < kW; i++) {
                        K[f][k][j][i] = take();
                    }
                }
            }
        }
        layers.add(new Convolutional(K, b, width, height, depth));
        width = width - kW + 1;
        height = height - kH + 1;
        depth = d;
        return this;
    }

    /** Max pooling over rW × rH regions; no parameters. */
    HandNetwork maxPooling(int rW, int rH) {
        layers.add(new MaxPooling(rW, rH, width, height, depth));
        width /= rW;
        height /= rH;
        return this;
    }

    /** Checks that every parameter of the file was used. */
    HandNetwork done() {
        if (next != initial.length) {
            throw new IllegalStateException("the layers use " + next + " parameters, the file has " + initial.length);
        }
        return this;
    }

    /** a^L for one sample. */
    double[] output(double[] x) {
        double[] a = x;
        for (HandLayer layer : layers) {
            a = layer.forward(a);
        }
        return a;
    }

    /** C = ½‖y − a^L‖² (15). */
    static double cost(double[] a, double[] y) {
        double c = 0;
        for (int i = 0; i < a.length; i++) {
            c += 0.5 * (y[i] - a[i]) * (y[i] - a[i]);
        }
        return c;
    }

    /** One SGD step on one sample (a mini-batch of 1) with the learning rate λ of every layer. */
    void train(double[] x, double[] y, double[] lambdas) {
        double[] a = output(x);
        double[] grad = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            grad[i] = a[i] - y[i];                      // (16)/(17) ∂C/∂a_i^L = a_i^L − y_i
        }
        for (int l = layers.size() - 1; l >= 0; l--) {
            grad = layers.get(l).backward(grad, lambdas[l]);
        }
    }

    /** The parameters in the file's order. */
    double[] parameters() {
        List<Double> all = new ArrayList<>();
        for (HandLayer layer : layers) {
            layer.parameters(all);
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));                  // (3)
    }

    /** Dense and output layers, (1)–(17). */
    private static final class Dense implements HandLayer {
        private final double[][] W;
        private final double[] b;
        private double[] input;
        private double[] z;

        Dense(double[][] W, double[] b) {
            this.W = W;
            this.b = b;
        }

        @Override
        public double[] forward(double[] a) {
            input = a;
            z = new double[b.length];
            double[] out = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                z[i] = b[i];
                for (int j = 0; j < a.length; j++) {
                    z[i] += W[i][j] * a[j];             // (1) z_i = Σ_j w_ij a_j + b_i
                }
                out[i] = sigmoid(z[i]);                 // (2) a_i = σ(z_i)
            }
            return out;
        }

        @Override
        public double[] backward(double[] gradOutput, double lambda) {
            double[] delta = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                double s = sigmoid(z[i]);
                delta[i] = gradOutput[i] * s * (1 - s);     // (7)/(14) δ_i = ∂C/∂a_i σ'(z_i), σ' = σ(1 − σ)
            }
            double[] gradInput = new double[input.length];
            for (int j = 0; j < input.length; j++) {
                for (int i = 0; i < b.length; i++) {
                    gradInput[j] += W[i][j] * delta[i];     // (13) ∂C/∂a_j^{l-1} = Σ_i w_ij δ_i, with W before (11)
                }
            }
            for (int i = 0; i < b.length; i++) {
                for (int j = 0; j < input.length; j++) {
                    W[i][j] -= lambda * delta[i] * input[j];    // (9), (11) W ← W − λ δ ⊗ a^{l-1}
                }
                b[i] -= lambda * delta[i];                      // (10), (11) b ← b − λ δ
            }
            return gradInput;
        }

        @Override
        public void parameters(List<Double> out) {
            for (double v : b) {
                out.add(v);
            }
            for (double[] row : W) {
                for (double v : row) {
                    out.add(v);
                }
            }
        }
    }

    /** Convolution, (20)–(28): valid cross-correlation, stride 1, ReLU. */
    private static final class Convolutional implements HandLayer {
        private final double[][][][] K;         // K[d][k][j][i]: kernel d, input channel k, row j, column i
        private final double[] b;
        private final int inW;
        private final int inH;
        private final int inD;
        private final int outW;
        private final int outH;
        private double[] input;
        private double[] z;

        Convolutional(double[][][][] K, double[] b, int inW, int inH, int inD) {
            this.K = K;
            this.b = b;
            this.inW = inW;
            this.inH = inH;
            this.inD = inD;
            this.outW = inW - K[0][0][0].length + 1;
            this.outH = inH - K[0][0].length + 1;
        }

        private double in(double[] a, int x, int y, int k) {
            return a[k * inW * inH + y * inW + x];
        }

        @Override
        public double[] forward(double[] a) {
            input = a;
            int kH = K[0][0].length;
            int kW = K[0][0][0].length;
            z = new double[b.length * outW * outH];
            double[] out = new double[z.length];
            for (int d = 0; d < b.length; d++) {
                for (int y = 0; y < outH; y++) {
                    for (int x = 0; x < outW; x++) {
                        double sum = b[d];
                        for (int i = 0; i < kW; i++) {
                            for (int j = 0; j < kH; j++) {
                                for (int k = 0; k < inD; k++) {
                                    sum += K[d][k][j][i] * in(a, x + i, y + j, k);  // (24) Σ_ijk w_ijk a_{x+i,y+j,k} + b
                                }
                            }
                        }
                        int o = d * outW * outH + y * outW + x;
                        z[o] = sum;
                        out[o] = Math.max(0, sum);                                  // (25), (23) a = R(z)
                    }
                }
            }
            return out;
        }

        @Override
        public double[] backward(double[] gradOutput, double lambda) {
            int kH = K[0][0].length;
            int kW = K[0][0][0].length;
            double[] delta = new double[z.length];
            for (int o = 0; o < z.length; o++) {
                delta[o] = gradOutput[o] * (z[o] > 0 ? 1 : 0);     // δ = ∂C/∂a R'(z), (26) R'(z) = 0 for z ≤ 0
            }
            double[] gradInput = new double[input.length];
            for (int k = 0; k < inD; k++) {
                for (int y = 0; y < inH; y++) {
                    for (int x = 0; x < inW; x++) {
                        double sum = 0;
                        for (int d = 0; d < b.length; d++) {
                            for (int y2 = 0; y2 < outH; y2++) {
                                for (int x2 = 0; x2 < outW; x2++) {
                                    int i = x - x2;
                                    int j = y - y2;
                                    if (i >= 0 && i < kW && j >= 0 && j < kH) {
                                        // (27) ∂C/∂a_{x,y,k} = Σ_d Σ_{x',y'} δ^d_{x',y'} w^d_{x−x',y−y',k}
                                        sum += delta[d * outW * outH + y2 * outW + x2] * K[d][k][j][i];
                                    }
                                }
                            }
                        }
                        gradInput[k * inW * inH + y * inW + x] = sum;
                    }
                }
            }
            for (int d = 0; d < b.length; d++) {
                double gradB = 0;
                for (int o = d * outW * outH; o < (d + 1) * outW * outH; o++) {
                    gradB += delta[o];                                      // ∂C/∂b^d = Σ_{x,y} δ^d_{x,y}
                }
                for (int k = 0; k < inD; k++) {
                    for (int j = 0; j < kH; j++) {
                        for (int i = 0; i < kW; i++) {
                            double gradW = 0;
                            for (int y = 0; y < outH; y++) {
                                for (int x = 0; x < outW; x++) {
                                    // (28) ∂C/∂w^d_{i,j,k} = Σ_{x,y} δ^d_{x,y} a_{x+i,y+j,k}
                                    gradW += delta[d * outW * outH + y * outW + x] * in(input, x + i, y + j, k);
                                }
                            }
                            K[d][k][j][i] -= lambda * gradW;                // (11)
                        }
                    }
                }
                b[d] -= lambda * gradB;                                     // (11)
            }
            return gradInput;
        }

        @Override
        public void parameters(List<Double> out) {
            for (int d = 0; d < b.length; d++) {
                out.add(b[d]);
                for (double[][] channel : K[d]) {
                    for (double[] row : channel) {
                        for (double v : row) {
                            out.add(v);
                        }
                    }
                }
            }
        }
    }

    /** Max pooling, (29)–(33); the first maximum in scan order (row by row) wins ties, as in the reference (§8). */
    private static final class MaxPooling implements HandLayer {
        private final int rW;
        private final int rH;
        private final int inW;
        private final int inH;
        private final int inD;
        private int[] argmax;

        MaxPooling(int rW, int rH, int inW, int inH, int inD) {
            this.rW = rW;
            this.rH = rH;
            this.inW = inW;
            this.inH = inH;
            this.inD = inD;
        }

        @Override
        public double[] forward(double[] a) {
            int outW = inW / rW;
            int outH = inH / rH;
            double[] out = new double[outW * outH * inD];
            argmax = new int[out.length];
            for (int k = 0; k < inD; k++) {
                for (int y = 0; y < outH; y++) {
                    for (int x = 0; x < outW; x++) {
                        int best = -1;
                        for (int j = 0; j < rH; j++) {
                            for (int i = 0; i < rW; i++) {
                                int at = k * inW * inH + (y * rH + j) * inW + (x * rW + i);
                                if (best < 0 || a[at] > a[best]) {
                                    best = at;                      // (29) z_{x,y,k} = max_{i,j} a_{x+i,y+j,k}
                                }
                            }
                        }
                        int o = k * outW * outH + y * outW + x;
                        out[o] = a[best];
                        argmax[o] = best;
                    }
                }
            }
            return out;
        }

        @Override
        public double[] backward(double[] gradOutput, double lambda) {
            double[] gradInput = new double[inW * inH * inD];
            for (int o = 0; o < gradOutput.length; o++) {
                gradInput[argmax[o]] = gradOutput[o];       // (31)–(33) δ goes to the region's maximum, 0 elsewhere
            }
            return gradInput;
        }

        @Override
        public void parameters(List<Double> out) {
        }
    }
}
