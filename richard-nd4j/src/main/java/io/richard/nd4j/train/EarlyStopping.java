package io.richard.nd4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.spec.EarlyStoppingSpec;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.kernel.Elementwise;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Early stopping: told the test result of every epoch ({@link #epochTested}), it keeps a copy of the parameters of
 * the best epoch so far (by the {@link EarlyStoppingSpec#metric() metric}: the highest test accuracy or the lowest
 * test cost; a tie is no improvement), and it is {@link #exhausted()} once {@code patience} epochs in a row have not
 * improved on it (as Keras counts: with patience 0, the first epoch that does not improve). A {@link Trainer} given
 * one stops there; {@link #restoreBest()} then puts the best epoch's parameters back into the network.
 *
 * <p>Its {@link #state()} goes into checkpoints with the trainer's, so a resumed run stops where the uninterrupted
 * run would and keeps the same best parameters.
 */
public final class EarlyStopping {

    /**
     * Where early stopping stands, for checkpoints.
     *
     * @param metric     the metric watched
     * @param bestEpoch  the 0-based epoch of the best result so far, or −1 before one
     * @param best       that result (NaN before one)
     * @param lastTested the last epoch tested, or −1
     * @param parameters the best epoch's parameters by key ({@code hiddenLayers[0].W}); empty before one
     */
    public record State(String metric, int bestEpoch, double best, int lastTested, Map<String, INDArray> parameters) {

        public State {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
            if (bestEpoch > lastTested || bestEpoch < -1) {
                throw new IllegalArgumentException("the best epoch " + bestEpoch + " cannot come after the last"
                        + " epoch tested, " + lastTested);
            }
        }
    }

    private final EarlyStoppingSpec spec;
    private final Network network;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> bestParameters = new LinkedHashMap<>();
    private int bestEpoch = -1;
    private double best = Double.NaN;
    private int lastTested = -1;

    public EarlyStopping(EarlyStoppingSpec spec, Network network) {
        this.spec = spec;
        this.network = network;
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            for (Parameter p : layers.get(l).parameters()) {
                parameters.put(network.model().network().path(l) + "." + p.name(), p);
            }
        }
    }

    public EarlyStoppingSpec spec() {
        return spec;
    }

    /**
     * Takes the test result of epoch {@code epoch} (0-based), after its last mini-batch: when it is the best so far,
     * copies the network's parameters. Returns true for a new best.
     */
    public boolean epochTested(int epoch, Evaluation test) {
        return epochTested(epoch, spec.metric().equals(EarlyStoppingSpec.TEST_ACCURACY) ? test.accuracy()
                : test.meanCost());
    }

    /** The same with the metric's value itself. */
    public boolean epochTested(int epoch, double value) {
        lastTested = epoch;
        boolean improved = !Double.isNaN(value) && (bestEpoch < 0 || spec.better(value, best));
        if (improved) {
            best = value;
            bestEpoch = epoch;
            parameters.forEach((key, p) -> Elementwise.copy(p.value(), bestParameters.computeIfAbsent(key,
                    k -> p.value().ulike())));
        }
        return improved;
    }

    /** Whether epoch {@code epoch}'s result has been given. */
    public boolean tested(int epoch) {
        return lastTested >= epoch;
    }

    /** The epochs tested since the best one (all of them before there is one). */
    public int epochsWithoutImprovement() {
        return lastTested - bestEpoch;
    }

    /** True when {@code patience} epochs in a row have not improved: training should stop. */
    public boolean exhausted() {
        int without = epochsWithoutImprovement();
        return without > 0 && without >= spec.patience();
    }

    /** The 0-based epoch of the best result so far, if any. */
    public OptionalInt bestEpoch() {
        return bestEpoch < 0 ? OptionalInt.empty() : OptionalInt.of(bestEpoch);
    }

    /** The best result so far (NaN before one). */
    public double best() {
        return best;
    }

    /**
     * Copies the best epoch's parameters into the network (nothing when no epoch was tested yet); returns the best
     * epoch, if any.
     */
    public OptionalInt restoreBest() {
        if (bestEpoch >= 0) {
            parameters.forEach((key, p) -> Elementwise.copy(bestParameters.get(key), p.value()));
        }
        return bestEpoch();
    }

    /** Where this stands, with copies of the best parameters. */
    public State state() {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        bestParameters.forEach((key, value) -> copies.put(key, value.dup()));
        return new State(spec.metric(), bestEpoch, best, lastTested, copies);
    }

    /**
     * Starts again from {@code state} (null: from nothing).
     *
     * @throws IllegalArgumentException when the state watched another metric or holds parameters of another network
     */
    public void restore(State state) {
        bestParameters.clear();
        if (state == null) {
            bestEpoch = -1;
            best = Double.NaN;
            lastTested = -1;
            return;
        }
        if (!state.metric().equals(spec.metric())) {
            throw new IllegalArgumentException("the checkpoint's early stopping watched " + state.metric()
                    + ", this run's watches " + spec.metric());
        }
        if (state.bestEpoch() >= 0 && !state.parameters().keySet().equals(parameters.keySet())) {
            throw new IllegalArgumentException("the checkpoint's best parameters are " + state.parameters().keySet()
                    + ", this network's " + parameters.keySet());
        }
        state.parameters().forEach((key, value) -> {
            if (!java.util.Arrays.equals(value.shape(), parameters.get(key).value().shape())) {
                throw new IllegalArgumentException("the checkpoint's best " + key + " has the shape "
                        + java.util.Arrays.toString(value.shape()) + ", this network's "
                        + java.util.Arrays.toString(parameters.get(key).value().shape()));
            }
            bestParameters.put(key, value.castTo(parameters.get(key).value().dataType()).dup('c'));
        });
        bestEpoch = state.bestEpoch();
        best = state.best();
        lastTested = state.lastTested();
    }

    /** The network whose parameters are watched. */
    Network network() {
        return network;
    }
}
