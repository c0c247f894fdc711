package io.richard.nd4j;

import java.util.List;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a network does on a labelled data set: accuracy, mean quadratic cost (15) and the confusion matrix.
 *
 * @param classes   the class labels
 * @param samples   number of samples evaluated
 * @param correct   samples whose predicted class (argmax, first index wins ties) is their label
 * @param totalCost sum of the per-sample costs ½‖y − a‖²
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record Evaluation(List<String> classes, int samples, int correct, double totalCost, long[][] confusion) {

    /** Evaluates {@code network} on every sample of {@code data}, in inference mode. */
    public static Evaluation of(Network network, LabelledDataSet data, int batchSize) {
        int k = data.classes().size();
        long[][] confusion = new long[k][k];
        int samples = 0;
        int correct = 0;
        double totalCost = 0;
        // each batch is consumed before the next one: the stream may refill the same arrays
        try (BatchStream batches = data.transientBatches(batchSize, data.size(), SampleOrder.sequential())) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                INDArray a = network.output(batch.x());
                totalCost += network.loss().totalCost(a, batch.y().castTo(a.dataType()));
                int[] predicted = Network.argmax(a);
                for (int s = 0; s < predicted.length; s++) {
                    confusion[batch.labels()[s]][predicted[s]]++;
                    if (predicted[s] == batch.labels()[s]) {
                        correct++;
                    }
                }
                samples += batch.size();
            }
        }
        return new Evaluation(List.copyOf(data.classes()), samples, correct, totalCost, confusion);
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
