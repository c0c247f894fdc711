package io.richard.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import io.richard.api.data.LabelledDataSet;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.layer.ConvolutionalLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a training report shows about a network on a labelled data set, found in one evaluation pass: the
 * {@link Evaluation} (accuracy, cost, confusion matrix), the most confidently wrong samples, and the first layer's
 * kernels when it is convolutional.
 *
 * @param evaluation the evaluation of every sample
 * @param mistakes   the misclassified samples whose predicted class had the largest output, largest first
 * @param kernels    the first layer's kernels, or null when the first layer is not convolutional
 */
record ReportAnalysis(Evaluation evaluation, List<Mistake> mistakes, Kernels kernels) {

    /** How many confidently wrong samples a report shows unless told otherwise. */
    static final int DEFAULT_MISTAKES = 24;

    /**
     * A misclassified sample.
     *
     * @param index           its position in the data set (0-based, data order)
     * @param actual          its label's class index
     * @param predicted       the predicted class index (the largest output)
     * @param predictedOutput the output of the predicted class, a^L_predicted (the network's confidence)
     * @param actualOutput    the output of the true class
     * @param values          its normalised input values, (x fastest, then y, then channel)
     */
    record Mistake(int index, int actual, int predicted, float predictedOutput, float actualOutput, float[] values) {
    }

    /**
     * The kernels of a convolutional layer, W of shape (D, C, kH, kW), as floats in that (row-major) order.
     */
    record Kernels(int depth, int channels, int height, int width, float[] values) {

        /** W[d][c][y][x]. */
        float get(int d, int c, int y, int x) {
            return values[((d * channels + c) * height + y) * width + x];
        }

        /** The largest |w| (at least the smallest positive float, so that it can divide). */
        float maxAbs() {
            float max = Float.MIN_NORMAL;
            for (float v : values) {
                max = Math.max(max, Math.abs(v));
            }
            return max;
        }
    }

    /**
     * Evaluates {@code network} on every sample of {@code data} (in batches of {@code batchSize}, each split between
     * {@code threads} threads) and keeps the {@code mistakes} most confidently wrong samples.
     */
    static ReportAnalysis of(Network network, LabelledDataSet data, int batchSize, int threads, int mistakes) {
        WorstMistakes worst = new WorstMistakes(mistakes);
        Evaluation evaluation = Evaluation.of(network, data, batchSize, threads, worst::observe);
        return new ReportAnalysis(evaluation, worst.sorted(), kernels(network));
    }

    /** The first layer's kernels, or null when it is not convolutional. */
    static Kernels kernels(Network network) {
        if (network.layers().isEmpty() || !(network.layers().get(0) instanceof ConvolutionalLayer conv)) {
            return null;
        }
        INDArray W = conv.kernels();
        long[] shape = W.shape();
        float[] values = W.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return new Kernels((int) shape[0], (int) shape[1], (int) shape[2], (int) shape[3], values);
    }

    /** Keeps the misclassified samples with the largest predicted output (earlier samples win ties). */
    private static final class WorstMistakes {
        private static final Comparator<Mistake> LEAST_WORST = Comparator.comparingDouble(Mistake::predictedOutput)
                .thenComparing(Comparator.comparingInt(Mistake::index).reversed());

        private final int capacity;
        private final PriorityQueue<Mistake> kept = new PriorityQueue<>(LEAST_WORST);
        private int seen;

        WorstMistakes(int capacity) {
            this.capacity = capacity;
        }

        void observe(io.richard.api.data.Batch batch, int from, INDArray outputs, int[] predicted) {
            int n = predicted.length;
            int classes = (int) outputs.columns();
            float[] a = null;
            for (int s = 0; s < n && capacity > 0; s++) {
                int label = batch.labels()[from + s];
                if (predicted[s] == label) {
                    continue;
                }
                if (a == null) {
                    a = outputs.castTo(DataType.FLOAT).dup('c').data().asFloat();
                }
                float confidence = a[s * classes + predicted[s]];
                if (kept.size() == capacity && confidence <= kept.peek().predictedOutput()) {
                    continue;
                }
                float[] values = batch.x().getRow(from + s).castTo(DataType.FLOAT).dup('c').data().asFloat();
                kept.add(new Mistake(seen + s, label, predicted[s], confidence, a[s * classes + label], values));
                if (kept.size() > capacity) {
                    kept.poll();
                }
            }
            seen += n;
        }

        List<Mistake> sorted() {
            List<Mistake> list = new ArrayList<>(kept);
            list.sort(LEAST_WORST.reversed());
            return List.copyOf(list);
        }
    }
}
