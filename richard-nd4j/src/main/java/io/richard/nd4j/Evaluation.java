package io.richard.nd4j;

import java.util.Arrays;
import java.util.List;
import io.richard.api.Mode;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * How a network does on a labelled data set: accuracy, mean cost (the quadratic cost (15), or the cross-entropy
 * the network is trained with) and the confusion matrix.
 *
 * @param classes   the class labels
 * @param samples   number of samples evaluated
 * @param correct   samples whose predicted class (argmax, first index wins ties) is their label
 * @param totalCost sum of the per-sample costs (½‖y − a‖² for the quadratic cost)
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record Evaluation(List<String> classes, int samples, int correct, double totalCost, long[][] confusion) {

    /** Evaluates {@code network} on every sample of {@code data}, in inference mode, on this thread. */
    public static Evaluation of(Network network, LabelledDataSet data, int batchSize) {
        return of(network, data, batchSize, 1);
    }

    /**
     * Evaluates {@code network} on every sample of {@code data}, in inference mode, each batch's rows split
     * between {@code threads} threads (batches of fewer than 64 rows per thread are split less or not at all).
     */
    public static Evaluation of(Network network, LabelledDataSet data, int batchSize, int threads) {
        return of(network, data, batchSize, threads, null);
    }

    /**
     * Sees the outputs of every sample while an {@link Evaluation} is made (a training report uses it to find the
     * most confidently wrong samples without a second pass over the data). Called on the thread that called
     * {@link Evaluation#of(Network, LabelledDataSet, int, int, OutputObserver)}, once per part of a batch, in row
     * order.
     */
    @FunctionalInterface
    public interface OutputObserver {
        /**
         * @param batch     the batch; valid only during the call
         * @param from      the batch row of the first row of {@code outputs}
         * @param outputs   the output activations a^L of rows {@code from}, {@code from + 1}, …, (n, classes); valid
         *                  only during the call
         * @param predicted the predicted class of each of those rows
         */
        void observe(Batch batch, int from, INDArray outputs, int[] predicted);
    }

    /**
     * {@link #of(Network, LabelledDataSet, int, int)}, showing every sample's outputs to {@code observer} (when not
     * null) as they are computed.
     */
    public static Evaluation of(Network network, LabelledDataSet data, int batchSize, int threads,
            OutputObserver observer) {
        int k = data.classes().size();
        long[][] confusion = new long[k][k];
        int samples = 0;
        int correct = 0;
        double totalCost = 0;
        // each batch is consumed before the next one: the stream may refill the same arrays
        try (RowSplit split = RowSplit.open(threads);
                BatchStream batches = data.transientBatches(batchSize, data.size(), SampleOrder.sequential())) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                for (Scored part : split.map(batch.size(), (p, from, to) -> score(network, batch, from, to))) {
                    totalCost += part.cost();
                    if (observer != null) {
                        observer.observe(batch, (int) part.from(), part.outputs(), part.predicted());
                    }
                    for (int s = 0; s < part.predicted().length; s++) {
                        int label = batch.labels()[(int) part.from() + s];
                        confusion[label][part.predicted()[s]]++;
                        if (part.predicted()[s] == label) {
                            correct++;
                        }
                    }
                }
                samples += batch.size();
            }
        }
        return new Evaluation(List.copyOf(data.classes()), samples, correct, totalCost, confusion);
    }

    /**
     * The summed cost, the predicted classes and the outputs (the thread's own buffer, valid until its next pass) of
     * rows {@code from} to {@code to} − 1 of a batch.
     */
    private record Scored(long from, double cost, int[] predicted, INDArray outputs) {
    }

    /**
     * Per thread, an array for the output gradient (a − y), computed with the summed cost: reused from batch to batch
     * (a new native array per batch cost more than the cost's arithmetic).
     */
    private static final ThreadLocal<INDArray[]> DIFFERENCE = ThreadLocal.withInitial(() -> new INDArray[1]);

    private static Scored score(Network network, Batch batch, long from, long to) {
        boolean all = from == 0 && to == batch.size();
        INDArray x = all ? batch.x() : rows(batch.x(), from, to);
        INDArray y = all ? batch.y() : rows(batch.y(), from, to);
        INDArray a = network.forward(x, Mode.INFERENCE);          // this thread's buffers, read before its next pass
        INDArray[] difference = DIFFERENCE.get();
        if (difference[0] == null || !Arrays.equals(difference[0].shape(), a.shape())
                || difference[0].dataType() != a.dataType()) {
            difference[0] = a.ulike();
        }
        double cost = network.outputGradient(a, y.dataType() == a.dataType() ? y : y.castTo(a.dataType()),
                difference[0]);
        return new Scored(from, cost, Network.argmax(a), a);
    }

    private static INDArray rows(INDArray matrix, long from, long to) {
        return matrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /** Fraction of samples classified correctly, in [0, 1]; NaN for an empty set. */
    public double accuracy() {
        return samples == 0 ? Double.NaN : (double) correct / samples;
    }

    /** Mean per-sample cost; NaN for an empty set. */
    public double meanCost() {
        return samples == 0 ? Double.NaN : totalCost / samples;
    }

    /** Of the samples predicted as class {@code c}, the fraction that are {@code c}; NaN if none was. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
    }

    /** Of the samples of class {@code c}, the fraction predicted as {@code c}; NaN if there are none. */
    public double recall(int c) {
        long actual = 0;
        for (long count : confusion[c]) {
            actual += count;
        }
        return actual == 0 ? Double.NaN : (double) confusion[c][c] / actual;
    }

    /** The confusion matrix as text: one row per actual class, one column per predicted class. */
    public String confusionTable() {
        StringBuilder s = new StringBuilder(String.format("%-10s", "actual\\pred"));
        for (String label : classes) {
            s.append(String.format(" %6s", abbreviate(label)));
        }
        s.append('\n');
        for (int a = 0; a < classes.size(); a++) {
            s.append(String.format("%-10s", abbreviate(classes.get(a))));
            for (int p = 0; p < classes.size(); p++) {
                s.append(String.format(" %6d", confusion[a][p]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String abbreviate(String label) {
        return label.length() <= 6 ? label : label.substring(0, 5) + "…";
    }

    @Override
    public String toString() {
        return String.format("accuracy %.4f (%d/%d), mean cost %.6f", accuracy(), correct, samples, meanCost());
    }
}
