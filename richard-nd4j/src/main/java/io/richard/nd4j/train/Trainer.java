package io.richard.nd4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import io.richard.api.DataException;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingDivergedException;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.optimize.Optimizers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop, with the reference's semantics and without its bugs: epochs, mini-batches, and for each
 * mini-batch forward, cost, backward and the update of every layer, then the listeners.
 *
 * <p>Each epoch e consumes {@code min(batchSize, data size)} samples ({@code batchSize} is the reference's
 * samples-per-epoch), in data order or, with a shuffle seed, in a fresh permutation per epoch. They are cut into
 * mini-batches of {@code miniBatchSize}; for each one the network runs forward in training mode, the cost is
 * recorded, the gradients are back-propagated (summed over the mini-batch) and the optimiser takes one step: every
 * parameter is updated with the rate of its layer, λ · decay^e. The optimiser is the one the description's
 * {@code optimizer} section names (the reference's SGD without one) unless {@link Builder#optimizer} gives another;
 * it gets each parameter with a key that names it in the network ({@code hiddenLayers[0].W}), which keys its state.
 * Unlike the reference, the last, partial mini-batch of an epoch is applied in that epoch, and a stop request takes
 * effect after the current mini-batch.
 *
 * <p>The rest lives beside it: {@link DataParallelStep} splits a mini-batch between threads
 * ({@link Builder#parallel}) and sums the parts' gradients; {@link CheckpointPolicy} decides when the
 * {@link TrainingState} goes to the checkpoint sink ({@link Builder#checkpoint}) and checks the parameters first;
 * {@link Divergence} says why training diverged when a cost is NaN or infinite (a
 * {@link TrainingDivergedException} naming the epoch, the mini-batch and the layer, thrown before the bad
 * mini-batch is applied; the cost is computed anyway, so the guard costs nothing on the hot path). Dropout masks
 * and shuffles are functions of seeds and the position, so a run resumed with {@link Builder#resume} ends with
 * exactly the parameters of an uninterrupted one (same data, seed and thread count).
 *
 * <p>With {@link Builder#earlyStopping}, every complete epoch is tested (by a listener that feeds the
 * {@link EarlyStopping}, or by the trainer on a test set it was given) and training stops once the test metric has
 * not improved for the patience given; the early stopping's state, with the best epoch's parameters, is part of
 * every checkpoint. The learning rate of a layer in epoch e is its own, λ · decay^e, times the factor of the
 * description's {@code schedule} if there is one ({@link io.richard.api.spec.NetworkSpec#learnRate}).
 */
public final class Trainer {

    /** Receives the training state whenever a checkpoint is due, and writes it with the network's parameters. */
    @FunctionalInterface
    public interface CheckpointSink {
        void write(TrainingState state);
    }

    private final Network network;
    private final Optimizer optimizer;
    private final Hyperparams hyperparams;
    private final OptionalLong shuffleSeed;
    private final List<TrainingListener> listeners;
    private final TrainingState start;
    private final DataParallelStep gradients;
    private final Divergence divergence;
    private final CheckpointPolicy checkpoints;
    private final EarlyStopping stopping;
    private final LabelledDataSet test;
    private final int parallel;
    /** Every parameter of the network in order, its key ({@code hiddenLayers[0].W}) and its layer's index. */
    private final Parameter[] parameters;
    private final String[] keys;
    private final int[] layerOf;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    // Where training stands (see state()): plain fields, so that a mini-batch allocates nothing for them.
    private int positionEpoch;
    private int positionBatch;
    private int positionSamples;
    private double positionCost;

    private Trainer(Builder builder) {
        this.network = builder.network;
        this.optimizer = builder.optimizer;
        this.hyperparams = builder.hyperparams;
        this.shuffleSeed = builder.shuffleSeed;
        this.listeners = List.copyOf(builder.listeners);
        this.start = builder.start;
        this.stopping = builder.stopping;
        this.test = builder.test;
        this.parallel = builder.parallel;
        this.gradients = new DataParallelStep(network, builder.parallel);
        this.divergence = new Divergence(network, hyperparams);
        this.checkpoints = new CheckpointPolicy(builder.checkpointInterval, builder.checkpointSink, divergence,
                this::state);
        List<Parameter> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> layerIndices = new ArrayList<>();
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            for (Parameter p : layers.get(l).parameters()) {
                all.add(p);
                names.add(network.model().network().path(l) + "." + p.name());
                layerIndices.add(l);
            }
        }
        this.parameters = all.toArray(new Parameter[0]);
        this.keys = names.toArray(new String[0]);
        this.layerOf = layerIndices.stream().mapToInt(Integer::intValue).toArray();
        if (start != null) {
            if (!start.optimizer().equals(optimizer.name())) {
                throw new IllegalArgumentException("the training state was written by the optimiser '"
                        + start.optimizer() + "', this trainer uses '" + optimizer.name() + "'");
            }
            optimizer.restore(start.optimizerState());
            if (stopping != null) {
                stopping.restore(start.earlyStopping());
            }
        }
        moveTo(start != null ? start : TrainingState.start(shuffleSeed, optimizer.name()));
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

    /**
     * Where training stands: after {@link #fit} returns (finished or stopped) the position to resume from, with
     * (a copy of) the optimiser's current state; before, the start (or the state given to {@link Builder#resume}).
     */
    public TrainingState state() {
        Map<String, INDArray> optimizerState = new LinkedHashMap<>();
        optimizer.state().forEach((name, array) -> optimizerState.put(name, array.dup()));
        return new TrainingState(positionEpoch, positionBatch, positionSamples, positionCost, shuffleSeed,
                optimizer.name(), optimizerState, stopping == null ? null : stopping.state());
    }

    /** The hyper-parameters this trainer runs with. */
    public Hyperparams hyperparams() {
        return hyperparams;
    }

    /**
     * Trains for the configured epochs (or until a stop is requested) from the start or from the state given to
     * {@link Builder#resume}; returns one result per epoch run (a resumed epoch counts all its samples). Every
     * call starts there again, the optimiser's state too (none at the start, the resumed state's otherwise), from
     * the network's current parameters: to continue after a stop, build a trainer that resumes from
     * {@link #state()}.
     *
     * @throws TrainingDivergedException when the cost or the parameters stop being finite numbers
     */
    public List<EpochResult> fit(LabelledDataSet data) {
        if (!data.classes().equals(network.model().classes())) {
            throw new DataException("the data's classes " + data.classes() + " differ from the network's "
                    + network.model().classes());
        }
        List<EpochResult> results = new ArrayList<>();
        TrainingState from = start != null ? start : TrainingState.start(shuffleSeed, optimizer.name());
        moveTo(from);
        optimizer.restore(from.optimizerState());
        if (stopping != null) {
            stopping.restore(from.earlyStopping());
        }
        checkpoints.restart();
        gradients.open();
        try {
            for (int epoch = from.epoch(); epoch < hyperparams.epochs() && !stopRequested.get() && !stoppedEarly();
                    epoch++) {
                results.add(epoch(data, epoch, epoch == from.epoch() ? from : null));
            }
        } finally {
            stopRequested.set(false);
            gradients.close();
        }
        return results;
    }

    /** One epoch: its mini-batches in order (after those a resumed state has done), then the listeners. */
    private EpochResult epoch(LabelledDataSet data, int epoch, TrainingState resume) {
        int samples = Math.min(hyperparams.batchSize(), data.size());
        listeners.forEach(l -> l.epochStarted(epoch, hyperparams.epochs(), samples));
        long startTime = System.nanoTime();
        double totalCost = resume == null ? 0 : resume.cost();
        int done = 0;
        int batchIndex = 0;
        boolean complete;
        SampleOrder order = shuffleSeed.isPresent()
                ? SampleOrder.shuffled(shuffleSeed.getAsLong() + epoch) : SampleOrder.sequential();
        try (BatchStream batches = data.transientBatches(hyperparams.miniBatchSize(), samples, order)) {
            if (resume != null) {
                int mini = hyperparams.miniBatchSize();
                done = batches.skip(resume.batch());          // every mini-batch but an epoch's last one is full
                batchIndex = done / mini + (done % mini == 0 ? 0 : 1);
                if (batchIndex != resume.batch() || done != resume.samples()) {
                    throw new DataException("cannot resume at " + resume.describe() + ": that epoch has "
                            + batchIndex + " mini-batches of " + hyperparams.miniBatchSize() + " holding " + done
                            + " samples here; the data or the mini-batch size differ from the run that wrote the"
                            + " checkpoint");
                }
            }
            while (batches.hasNext() && !stopRequested.get()) {
                Batch batch = batches.next();
                double batchCost = step(batch, epoch, batchIndex);
                totalCost += batchCost;
                done += batch.size();
                batchIndex++;
                moveTo(epoch, batchIndex, done, totalCost);
                int doneSoFar = done;
                listeners.forEach(l -> l.batchDone(epoch, doneSoFar, samples, batchCost));
                checkpoints.batchApplied(epoch, batchIndex - 1);
            }
            complete = !batches.hasNext();
        }
        if (complete) {
            moveTo(epoch + 1, 0, 0, 0);
        }
        double seconds = (System.nanoTime() - startTime) / 1e9;
        EpochResult result = new EpochResult(epoch, hyperparams.epochs(), done,
                done == 0 ? Double.NaN : totalCost / done, seconds, done < samples);
        listeners.forEach(l -> l.epochFinished(result));
        if (complete) {
            if (stopping != null && !stopping.tested(epoch)) {
                if (test == null) {
                    throw new IllegalStateException("early stopping was not told epoch " + (epoch + 1) + "'s test"
                            + " result: give the trainer the test set (earlyStopping(stopping, test)) or call"
                            + " stopping.epochTested from a listener");
                }
                stopping.epochTested(epoch, network.evaluate(test, EVALUATION_BATCH, parallel));
            }
            checkpoints.epochCompleted(epoch, batchIndex - 1);
        }
        return result;
    }

    /** True when early stopping has run out of patience: {@link #fit} stops (or stopped) there. */
    public boolean stoppedEarly() {
        return stopping != null && stopping.exhausted();
    }

    /** The mini-batch size of the test evaluations the trainer makes for early stopping itself. */
    static final int EVALUATION_BATCH = 256;

    /** One mini-batch: forward, cost and backward (over its parts), then the optimiser's step. Returns its cost. */
    private double step(Batch batch, int epoch, int batchIndex) {
        Mode step = Mode.training(epoch, batchIndex);                           // its dropout masks' step
        double cost = gradients.forwardAndBackward(batch, step);                // (15) summed; ∇ by (17), (8)–(13)
        if (!Double.isFinite(cost)) {
            throw divergence.diagnose(epoch, batchIndex, cost, batch);           // before the batch is applied
        }
        List<Layer> layers = network.layers();
        NetworkSpec description = network.model().network();
        optimizer.beginStep();
        for (int i = 0; i < parameters.length; i++) {
            // λ · decay^epoch (· the schedule's factor)
            double rate = description.learnRate(layers.get(layerOf[i]).spec(), epoch, hyperparams.epochs());
            optimizer.update(keys[i], parameters[i], rate);                      // (11) for SGD
        }
        return cost;
    }

    private void moveTo(TrainingState state) {
        moveTo(state.epoch(), state.batch(), state.samples(), state.cost());
    }

    private void moveTo(int epoch, int batch, int samples, double cost) {
        positionEpoch = epoch;
        positionBatch = batch;
        positionSamples = samples;
        positionCost = cost;
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Network network;
        private Optimizer optimizer;
        private Hyperparams hyperparams;
        private OptionalLong shuffleSeed = OptionalLong.empty();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private TrainingState start;
        private CheckpointInterval checkpointInterval;
        private CheckpointSink checkpointSink;
        private int parallel = 1;
        private EarlyStopping stopping;
        private LabelledDataSet test;

        private Builder(Network network) {
            this.network = network;
            this.hyperparams = network.model().network().hyperparams();
            this.optimizer = Optimizers.of(network.model().network().optimizer());
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

        /** The optimiser; default: the one the network's description names ({@code sgd} without an optimizer section). */
        public Builder optimizer(Optimizer value) {
            this.optimizer = Objects.requireNonNull(value, "optimizer");
            return this;
        }

        public Builder listener(TrainingListener listener) {
            listeners.add(listener);
            return this;
        }

        /**
         * Continues from a checkpoint's state instead of the start: its epoch and position in the epoch, its
         * shuffle seed (which replaces {@link #shuffle}) and its optimiser state. The network must hold the
         * checkpoint's parameters.
         */
        public Builder resume(TrainingState state) {
            this.start = Objects.requireNonNull(state, "state");
            this.shuffleSeed = state.shuffleSeed();
            return this;
        }

        /** Hands the training state to {@code sink} every {@code interval} (epochs or mini-batches). */
        public Builder checkpoint(CheckpointInterval interval, CheckpointSink sink) {
            this.checkpointInterval = Objects.requireNonNull(interval, "interval");
            this.checkpointSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Splits every mini-batch into {@code threads} parts trained at the same time on as many threads (default
         * 1: this thread only). While {@link #fit} runs, the BLAS pool is set to one thread (so that the parts
         * do not compete for it) and restored afterwards; ND4J's own pool cannot be resized at run time, so run
         * with {@code OMP_NUM_THREADS=1} (the richard launcher's default). The network's work arrays exist once
         * per part. Pays off when a mini-batch is mostly work on activations (measured: the example CNN 1.3×
         * faster with 2 threads on 2 cores; the dense network slower, as each part reads all the weights again;
         * see docs/performance.md).
         */
        public Builder parallel(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("the number of training threads must be at least 1, got "
                        + threads);
            }
            this.parallel = threads;
            return this;
        }

        /**
         * Stops training once {@code stopping}'s metric has not improved for its patience; every complete epoch's test
         * result must be given to it by a listener ({@link EarlyStopping#epochTested}) in its
         * {@code epochFinished}. The stopping's network must be this trainer's.
         */
        public Builder earlyStopping(EarlyStopping stopping) {
            if (stopping.network() != network) {
                throw new IllegalArgumentException("the early stopping watches another network");
            }
            this.stopping = stopping;
            return this;
        }

        /**
         * Stops training once {@code stopping}'s metric has not improved for its patience, the trainer testing on
         * {@code test} after every complete epoch (unless a listener gave the epoch's result already).
         */
        public Builder earlyStopping(EarlyStopping stopping, LabelledDataSet test) {
            earlyStopping(stopping);
            this.test = Objects.requireNonNull(test, "test");
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
