package io.richard.nd4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.data.Batch;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerSpec;
import io.richard.api.train.TrainingDivergedException;
import io.richard.nd4j.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Why training diverged, in one sentence a user can act on: which numbers stopped being finite (the parameters
 * of a layer, the inputs, a layer's output, or the cost itself), where (epoch and mini-batch, counted from 1, and
 * the layer), and what to change (the learning rates, or the mini-batch size over which gradients are summed).
 *
 * <p>Nothing here runs on the hot path: the trainer asks only when a cost is not finite or a checkpoint is due.
 */
final class Divergence {

    private final Network network;
    private final Hyperparams hyperparams;

    Divergence(Network network, Hyperparams hyperparams) {
        this.network = network;
        this.hyperparams = hyperparams;
    }

    /**
     * Throws when a parameter holds NaN or infinite values after mini-batch {@code lastBatch} of {@code epoch} was
     * applied (both 0-based): the check before a checkpoint is written, so that none ever holds them.
     */
    void requireFiniteParameters(int epoch, int lastBatch) {
        BadParameters bad = badParameters();
        if (bad != null) {
            throw new TrainingDivergedException("training diverged in epoch " + (epoch + 1) + ", mini-batch "
                    + (lastBatch + 1) + ": its update left " + bad.description() + "; no checkpoint was written with"
                    + " them. " + learnRateAdvice(), epoch, lastBatch, bad.firstLayer());
        }
    }

    /**
     * Finds out why the cost of mini-batch {@code batchIndex} of {@code epoch} is {@code cost}, not a finite number,
     * and says what to change: parameters that are not finite (an earlier update), inputs that are not (the data),
     * inputs beyond the range of the network's numbers (float64 data for a float32 network), a layer whose output
     * overflows although its parameters are finite, or else the targets or the cost.
     */
    TrainingDivergedException diagnose(int epoch, int batchIndex, double cost, Batch batch) {
        String where = "training diverged in epoch " + (epoch + 1) + ", mini-batch " + (batchIndex + 1)
                + ": the cost is " + (Double.isNaN(cost) ? "NaN" : cost > 0 ? "+∞" : "−∞") + "; ";
        BadParameters bad = badParameters();
        if (bad != null) {
            return new TrainingDivergedException(where + bad.description() + ". " + learnRateAdvice(), epoch,
                    batchIndex, bad.firstLayer());
        }
        String input = nonFinite(batch.x());
        if (input != null) {
            return new TrainingDivergedException(where + "the mini-batch's inputs hold " + input + " values; check"
                    + " the data (every value must be a finite number).", epoch, batchIndex, null);
        }
        INDArray a = batch.x().dataType() == network.dataType() ? batch.x() : batch.x().castTo(network.dataType());
        String cast = a == batch.x() ? null : nonFinite(a);
        if (cast != null) {
            return new TrainingDivergedException(where + "the mini-batch's inputs hold values beyond the range of"
                    + " the network's float32 numbers (they became " + cast + "); scale the data, or use a float64"
                    + " network.", epoch, batchIndex, null);
        }
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            a = layers.get(l).forward(a, Mode.INFERENCE);
            String values = nonFinite(a);
            if (values != null) {
                String layer = network.model().network().path(l);
                return new TrainingDivergedException(where + "the output of " + layer + " ("
                        + layers.get(l).spec().type() + ") holds " + values + " values (its parameters are finite but"
                        + " too large). " + learnRateAdvice(), epoch, batchIndex, layer);
            }
        }
        return new TrainingDivergedException(where + "the targets or the cost overflowed. " + learnRateAdvice(),
                epoch, batchIndex, null);
    }

    /**
     * The layers whose parameters are not all finite, e.g. "hiddenLayers[0] (dense) parameters W and b hold
     * infinite values; outputLayer (output) parameter W holds NaN values", and the first of them.
     */
    private record BadParameters(String description, String firstLayer) {
    }

    /** The layers whose parameters hold NaN or infinite values, or null when every parameter is finite. */
    private BadParameters badParameters() {
        List<String> layers = new ArrayList<>();
        String first = null;
        for (int l = 0; l < network.layers().size(); l++) {
            Layer layer = network.layers().get(l);
            List<String> names = new ArrayList<>();
            boolean nan = false;
            boolean infinite = false;
            for (Parameter p : layer.parameters()) {
                String kind = nonFinite(p.value());
                if (kind != null) {
                    names.add(p.name());
                    nan |= kind.contains("NaN");
                    infinite |= kind.contains("infinite");
                }
            }
            if (!names.isEmpty()) {
                String path = network.model().network().path(l);
                first = first == null ? path : first;
                layers.add(path + " (" + layer.spec().type() + ") " + (names.size() == 1 ? "parameter " + names.get(0)
                        + " holds " : "parameters " + String.join(" and ", names) + " hold ")
                        + (nan && infinite ? "NaN and infinite" : nan ? "NaN" : "infinite") + " values");
            }
        }
        return layers.isEmpty() ? null : new BadParameters(String.join("; ", layers), first);
    }

    /** "The steps are too large: lower learnRate (now hiddenLayers[0] 0.5, outputLayer 0.5), e.g. to a tenth, …". */
    private String learnRateAdvice() {
        StringBuilder rates = new StringBuilder();
        List<LayerSpec> specs = network.model().network().layers();
        for (int l = 0; l < specs.size(); l++) {
            if (!network.layers().get(l).parameters().isEmpty()) {
                rates.append(rates.length() == 0 ? "" : ", ").append(network.model().network().path(l)).append(' ')
                        .append(String.format(Locale.ROOT, "%s", specs.get(l).learnRate()));
            }
        }
        return "The steps are too large: lower learnRate (now " + rates + "), e.g. to a tenth, or use smaller"
                + " mini-batches (gradients are summed over miniBatchSize " + hyperparams.miniBatchSize() + ").";
    }

    /** "NaN", "infinite" or "NaN and infinite" when the array holds such values; null when all are finite. */
    static String nonFinite(INDArray array) {
        boolean nan = BooleanIndexing.or(array, Conditions.isNan());
        boolean infinite = BooleanIndexing.or(array, Conditions.isInfinite());
        return nan && infinite ? "NaN and infinite" : nan ? "NaN" : infinite ? "infinite" : null;
    }
}
