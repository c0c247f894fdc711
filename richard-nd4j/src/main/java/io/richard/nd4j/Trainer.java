package io.richard.nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Optimizer;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import io.richard.api.spec.Hyperparams;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop, with the reference's semantics and without its bugs.
 *
 * <p>Each epoch e consumes {@code min(batchSize, data size)} samples ({@code batchSize} is the reference's
 * samples-per-epoch), in data order or, with a shuffle seed, in a fresh permutation per epoch. They are cut into
 * mini-batches of {@code miniBatchSize}; for each one the network runs forward in training mode, the quadratic
 * cost is recorded, the gradients are back-propagated (summed over the mini-batch) and every layer is updated by
 * the optimiser with its own rate λ · decay^e. Unlike the reference, the last, partial mini-batch of an epoch
 * is applied in that epoch, and a stop request takes effect after the current mini-batch.
 */
public final class Trainer {

    private final Network network;
    private final Optimizer optimizer;
    private final Hyperparams hyperparams;
    private final OptionalLong shuffleSeed;
    private final List<TrainingListener> listeners;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private INDArray gradOutput;                     // ∇a C of the output layer, reused across mini-batches

    private Trainer(Builder builder) {
        this.network = builder.network;
        this.optimizer = builder.optimizer;
        this.hyperparams = builder.hyperparams;
        this.shuffleSeed = builder.shuffleSeed;
        this.listeners = List.copyOf(builder.listeners);
    }

    public static Builder builder(Network network) {
        return new Builder(network);
    }

    /**
     * Asks the running {@link #fit} to stop after the current mini-batch; safe to call from any thread. A stop
     * requested before {@code fit} starts makes it return at once; the request is cleared when {@code fit}
     * returns, so the trainer can be used again.
     */
    public void requestStop() {
        stopRequested.set(true);
    }

    public boolean stopRequested() {
        return stopRequested.get();
    }

    /** Trains for the configured epochs (or until a stop is requested); returns one result per epoch run. */
    public List<EpochResult> fit(LabelledDataSet data) {
        if (!data.classes().equals(network.model().classes())) {
            throw new io.richard.api.DataException("the data's classes " + data.classes()
                    + " differ from the network's " + network.model().classes());
        }
        List<EpochResult> results = new ArrayList<>();
        try {
            for (int epoch = 0; epoch < hyperparams.epochs() && !stopRequested.get(); epoch++) {
                results.add(epoch(data, epoch));
            }
        } finally {
            stopRequested.set(false);
        }
        return results;
    }

    private EpochResult epoch(LabelledDataSet data, int epoch) {
        int samples = Math.min(hyperparams.batchSize(), data.size());
        listeners.forEach(l -> l.epochStarted(epoch, hyperparams.epochs(), samples));
        long start = System.nanoTime();
        double totalCost = 0;
        int done = 0;
        SampleOrder order = shuffleSeed.isPresent()
                ? SampleOrder.shuffled(shuffleSeed.getAsLong() + epoch) : SampleOrder.sequential();
        try (BatchStream batches = data.transientBatches(hyperparams.miniBatchSize(), samples, order)) {
            while (batches.hasNext() && !stopRequested.get()) {
                Batch batch = batches.next();
                double batchCost = step(batch, epoch);
                totalCost += batchCost;
                done += batch.size();
                int doneSoFar = done;
                listeners.forEach(l -> l.batchDone(epoch, doneSoFar, samples, batchCost));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochResult result = new EpochResult(epoch, hyperparams.epochs(), done,
                done == 0 ? Double.NaN : totalCost / done, seconds, done < samples);
        listeners.forEach(l -> l.epochFinished(result));
        return result;
    }

    /** One mini-batch: forward, cost, backward, update. Returns the summed cost of its samples. */
    private double step(Batch batch, int epoch) {
        INDArray a = network.forward(batch.x(), Mode.TRAINING);
        INDArray y = batch.y().dataType() == a.dataType() ? batch.y() : batch.y().castTo(a.dataType());
        if (gradOutput == null || !java.util.Arrays.equals(gradOutput.shape(), a.shape())) {
            gradOutput = a.ulike();
        }
        double cost = network.loss().gradientAndCost(a, y, gradOutput);        // (17) ∇a C and (15), summed
        network.backward(gradOutput);                                            // into (14), then layer by layer
        for (Layer layer : network.layers()) {
            optimizer.update(layer.parameters(), layer.spec().learnRate(epoch));  // (11) with λ · decay^epoch
        }
        return cost;
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Network network;
        private Optimizer optimizer = new Sgd();
        private Hyperparams hyperparams;
        private OptionalLong shuffleSeed = OptionalLong.empty();
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Network network) {
            this.network = network;
            this.hyperparams = network.model().network().hyperparams();
        }

        /** Epochs, samples per epoch and mini-batch size; defaults to the network's description. */
        public Builder hyperparams(Hyperparams value) {
            this.hyperparams = value;
            return this;
        }

        /** Overrides only the number of epochs. */
        public Builder epochs(int epochs) {
            this.hyperparams = new Hyperparams(epochs, hyperparams.batchSize(), hyperparams.miniBatchSize());
            return this;
        }

        /** Shuffles the samples every epoch, with permutations drawn from {@code seed} (default: data order). */
        public Builder shuffle(long seed) {
            this.shuffleSeed = OptionalLong.of(seed);
            return this;
        }

        public Builder optimizer(Optimizer value) {
            this.optimizer = value;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            listeners.add(listener);
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
