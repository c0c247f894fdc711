package io.richard.nd4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingDivergedException;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.RowSplit;
import io.richard.nd4j.kernel.Blas;
import io.richard.nd4j.layer.TrainingStep;
import io.richard.nd4j.optimize.Sgd;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The training loop, with the reference's semantics and without its bugs.
 *
 * <p>Each epoch e consumes {@code min(batchSize, data size)} samples ({@code batchSize} is the reference's
 * samples-per-epoch), in data order or, with a shuffle seed, in a fresh permutation per epoch. They are cut into
 * mini-batches of {@code miniBatchSize}; for each one the network runs forward in training mode, the quadratic
 * cost is recorded, the gradients are back-propagated (summed over the mini-batch) and every layer is updated by
 * the optimiser with its own rate λ · decay^e. Unlike the reference, the last, partial mini-batch of an epoch
 * is applied in that epoch, and a stop request takes effect after the current mini-batch.
 *
 * <p>Threads: with {@link Builder#parallel}, every mini-batch is split into parts that run forward and backward at
 * the same time on copies of the network sharing its parameters ({@link Network#replica}), each on its own thread
 * with single-threaded BLAS; their gradients are summed and the update is applied once. The sum is the one-thread
 * gradient up to float rounding; with dropout, each part draws its own masks.
 *
 * <p>Reliability:
 * <ul>
 *   <li>Checkpoints: with {@link Builder#checkpoint}, the trainer hands its {@link TrainingState} to a sink every N
 *       epochs or mini-batches (after checking that every parameter is finite); {@link Builder#resume} starts
 *       from such a state. Dropout masks and shuffles are functions of seeds and the position, so a resumed run
 *       ends with exactly the parameters of an uninterrupted one (same data, seed and thread count).</li>
 *   <li>Divergence guard: a cost that is NaN or infinite stops training with a
 *       {@link TrainingDivergedException} naming the epoch, the mini-batch and the layer, before the bad
 *       mini-batch is applied. It costs nothing on the hot path: the cost is computed anyway, and the
 *       parameters are only inspected when the cost is not finite or a checkpoint is due.</li>
 * </ul>
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
    private final CheckpointInterval checkpointInterval;
    private final CheckpointSink checkpointSink;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final List<Part> parts;                  // the parts of a mini-batch; parts.get(0) trains `network`
    private RowSplit split;                          // the parts' threads, while fit runs
    // Where training stands (see state()): plain fields, so that a mini-batch allocates nothing for them.
    private int positionEpoch;
    private int positionBatch;
    private int positionSamples;
    private double positionCost;
    private long batchesRun;

    private Trainer(Builder builder) {
        this.network = builder.network;
        this.optimizer = builder.optimizer;
        this.hyperparams = builder.hyperparams;
        this.shuffleSeed = builder.shuffleSeed;
        this.listeners = List.copyOf(builder.listeners);
        this.start = builder.start;
        this.checkpointInterval = builder.checkpointInterval;
        this.checkpointSink = builder.checkpointSink;
        this.parts = new ArrayList<>();
        for (int p = 0; p < builder.parallel; p++) {
            parts.add(new Part(p == 0 ? network : network.replica(p)));
        }
        if (start != null) {
            if (!start.optimizer().equals(optimizer.name())) {
                throw new IllegalArgumentException("the training state was written by the optimiser '"
                        + start.optimizer() + "', this trainer uses '" + optimizer.name() + "'");
            }
            optimizer.restore(start.optimizerState());
        }
        moveTo(start != null ? start : TrainingState.start(shuffleSeed, optimizer.name()));
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
     * the optimiser's current state; before, the start (or the state given to {@link Builder#resume}).
     */
    public TrainingState state() {
        return new TrainingState(positionEpoch, positionBatch, positionSamples, positionCost, shuffleSeed,
                optimizer.name(), optimizer.state());
    }

    /** The hyper-parameters this trainer runs with. */
    public Hyperparams hyperparams() {
        return hyperparams;
    }

    /**
     * Trains for the configured epochs (or until a stop is requested) from the start or from the state given to
     * {@link Builder#resume}; returns one result per epoch run (a resumed epoch counts all its samples). Every
     * call starts there again: to continue after a stop, build a trainer that resumes from {@link #state()}.
     *
     * @throws TrainingDivergedException when the cost or the parameters stop being finite numbers
     */
    public List<EpochResult> fit(LabelledDataSet data) {
        if (!data.classes().equals(network.model().classes())) {
            throw new io.richard.api.DataException("the data's classes " + data.classes()
                    + " differ from the network's " + network.model().classes());
        }
        List<EpochResult> results = new ArrayList<>();
        TrainingState from = start != null ? start : TrainingState.start(shuffleSeed, optimizer.name());
        moveTo(from);
        batchesRun = 0;
        split = RowSplit.open(parts.size());
        try {
            for (int epoch = from.epoch(); epoch < hyperparams.epochs() && !stopRequested.get(); epoch++) {
                results.add(epoch(data, epoch, epoch == from.epoch() ? from : null));
            }
        } finally {
            stopRequested.set(false);
            TrainingStep.clear();
            split.close();
            split = null;
        }
        return results;
    }

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
                while (batchIndex < resume.batch() && batches.hasNext()) {
                    done += batches.next().size();
                    batchIndex++;
                }
                if (batchIndex != resume.batch() || done != resume.samples()) {
                    throw new io.richard.api.DataException("cannot resume at " + resume.describe() + ": that epoch"
                            + " has " + batchIndex + " mini-batches of " + hyperparams.miniBatchSize() + " holding "
                            + done + " samples here; the data or the mini-batch size differ from the run that"
                            + " wrote the checkpoint");
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
                batchesRun++;
                if (checkpointSink != null && !checkpointInterval.epochs()
                        && batchesRun % checkpointInterval.count() == 0) {
                    checkpoint(epoch, batchIndex - 1);
                }
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
        if (complete && checkpointSink != null && checkpointInterval.epochs()
                && (epoch + 1) % checkpointInterval.count() == 0) {
            checkpoint(epoch, batchIndex - 1);
        }
        return result;
    }

    /** One mini-batch: forward, cost, backward, update. Returns the summed cost of its samples. */
    private double step(Batch batch, int epoch, int batchIndex) {
        double cost;
        if (parts.size() == 1 || batch.size() < parts.size()) {
            cost = parts.get(0).run(batch.x(), batch.y(), epoch, batchIndex);
        } else {
            cost = parallelStep(batch, epoch, batchIndex);
        }
        if (!Double.isFinite(cost)) {
            throw diverged(epoch, batchIndex, cost, batch);                      // before the batch is applied
        }
        for (Layer layer : network.layers()) {
            optimizer.update(layer.parameters(), layer.spec().learnRate(epoch));  // (11) with λ · decay^epoch
        }
        return cost;
    }

    /**
     * Forward and backward of every part of the mini-batch on its own thread (part 0 on this one); leaves the
     * summed gradients in {@code network}'s parameters and returns the summed cost.
     */
    private double parallelStep(Batch batch, int epoch, int batchIndex) {
        double cost = 0;                                     // every part ends before the step does
        for (double part : split.map(parts.size(), batch.size(),
                (p, from, to) -> parts.get(p).run(batch, from, to, epoch, batchIndex))) {
            cost += part;
        }
        List<Layer> layers = network.layers();
        for (int p = 1; p < parts.size(); p++) {
            List<Layer> replica = parts.get(p).network.layers();
            for (int l = 0; l < layers.size(); l++) {
                List<Parameter> sums = layers.get(l).parameters();
                List<Parameter> more = replica.get(l).parameters();
                for (int i = 0; i < sums.size(); i++) {
                    Blas.axpy(1.0, more.get(i).gradient(), sums.get(i).gradient());  // gradients are sums over samples
                }
            }
        }
        return cost;
    }

    /** One part of a mini-batch: a network (or a replica of it) with its own input and loss-gradient arrays. */
    private static final class Part {
        private final Network network;
        private INDArray x;
        private INDArray y;
        private INDArray gradOutput;                 // ∇a C of the output layer, reused across mini-batches

        Part(Network network) {
            this.network = network;
        }

        /** Rows {@code from} to {@code to} − 1 of the mini-batch: copied into this part's arrays, then trained. */
        double run(Batch batch, long from, long to, int epoch, int batchIndex) {
            x = rows(batch.x(), from, to, x);
            y = rows(batch.y(), from, to, y);
            return run(x, y, epoch, batchIndex);
        }

        /**
         * Forward in training mode, cost, and (when the cost is finite) backward; the gradients are left in the
         * layers' parameters. Returns the summed cost of the samples.
         */
        double run(INDArray x, INDArray y, int epoch, int batchIndex) {
            TrainingStep.set(epoch, batchIndex);                                 // dropout masks of this batch
            INDArray a = network.forward(x, Mode.TRAINING);
            INDArray target = y.dataType() == a.dataType() ? y : y.castTo(a.dataType());
            if (gradOutput == null || !java.util.Arrays.equals(gradOutput.shape(), a.shape())) {
                gradOutput = a.ulike();
            }
            double cost = network.loss().gradientAndCost(a, target, gradOutput);  // (17) ∇a C and (15), summed
            if (Double.isFinite(cost)) {
                network.backward(gradOutput);                                    // into (14), then layer by layer
            }
            return cost;
        }

        private static INDArray rows(INDArray all, long from, long to, INDArray reused) {
            INDArray target = reused != null && reused.rows() == to - from && reused.dataType() == all.dataType()
                    ? reused : Nd4j.create(all.dataType(), to - from, all.columns());
            return Blas.copyRows(all, from, target);
        }
    }

    /** Checks that every parameter is finite, then hands the state to the sink. */
    private void checkpoint(int epoch, int lastBatch) {
        String blamed = badParameters();
        if (blamed != null) {
            throw new TrainingDivergedException("training diverged in epoch " + (epoch + 1) + ", mini-batch "
                    + (lastBatch + 1) + ": its update left " + blamed + "; no checkpoint was written with them. "
                    + learnRateAdvice(), epoch, lastBatch, firstBadLayer);
        }
        checkpointSink.write(state());
    }

    private String firstBadLayer;

    /**
     * "hiddenLayers[0] (dense) parameters W and b hold infinite values; outputLayer (output) parameter W holds NaN
     * values", or null when every parameter is finite; sets {@link #firstBadLayer}.
     */
    private String badParameters() {
        List<String> layers = new ArrayList<>();
        firstBadLayer = null;
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
                firstBadLayer = firstBadLayer == null ? path : firstBadLayer;
                layers.add(path + " (" + layer.spec().type() + ") " + (names.size() == 1 ? "parameter " + names.get(0)
                        + " holds " : "parameters " + String.join(" and ", names) + " hold ")
                        + (nan && infinite ? "NaN and infinite" : nan ? "NaN" : "infinite") + " values");
            }
        }
        return layers.isEmpty() ? null : String.join("; ", layers);
    }

    /** Finds out why the cost of a mini-batch is not finite and says what to change. */
    private TrainingDivergedException diverged(int epoch, int batchIndex, double cost, Batch batch) {
        String where = "training diverged in epoch " + (epoch + 1) + ", mini-batch " + (batchIndex + 1)
                + ": the cost is " + (Double.isNaN(cost) ? "NaN" : cost > 0 ? "+∞" : "−∞") + "; ";
        List<Layer> layers = network.layers();
        String blamed = badParameters();
        if (blamed != null) {
            return new TrainingDivergedException(where + blamed + ". " + learnRateAdvice(), epoch, batchIndex,
                    firstBadLayer);
        }
        String input = nonFinite(batch.x());
        if (input != null) {
            return new TrainingDivergedException(where + "the mini-batch's inputs hold " + input + " values; check"
                    + " the data (every value must be a finite number).", epoch, batchIndex, null);
        }
        INDArray a = batch.x().dataType() == network.dataType() ? batch.x() : batch.x().castTo(network.dataType());
        for (int l = 0; l < layers.size(); l++) {
            a = layers.get(l).forward(a, Mode.INFERENCE);
            String bad = nonFinite(a);
            if (bad != null) {
                String layer = network.model().network().path(l);
                return new TrainingDivergedException(where + "the output of " + layer + " ("
                        + layers.get(l).spec().type() + ") holds " + bad + " values (its parameters are finite but too"
                        + " large). " + learnRateAdvice(), epoch, batchIndex, layer);
            }
        }
        return new TrainingDivergedException(where + "the targets or the cost overflowed. " + learnRateAdvice(),
                epoch, batchIndex, null);
    }

    /** "Lower learnRate (now hiddenLayers[0] 0.5, outputLayer 0.5), e.g. to a tenth, …". */
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

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Network network;
        private Optimizer optimizer = new Sgd();
        private Hyperparams hyperparams;
        private OptionalLong shuffleSeed = OptionalLong.empty();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private TrainingState start;
        private CheckpointInterval checkpointInterval;
        private CheckpointSink checkpointSink;
        private int parallel = 1;

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

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
