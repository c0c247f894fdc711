package io.richard.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.api.DataException;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingDivergedException;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.InMemoryDataSet;
import io.richard.nd4j.io.DescriptionReader;
import io.richard.nd4j.kernel.Kernels;
import io.richard.nd4j.optimize.Optimizers;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.train.TrainingState;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Synchronous data-parallel training on Apache Spark by parameter averaging.
 *
 * <p>Each round the driver broadcasts the network's parameters (one {@code float[]}, with the optimiser's state if it
 * keeps one); every partition of the data trains its share from them with the single-machine {@link Trainer} (the
 * reference's summed-gradient SGD or the description's optimiser, each layer's learning rate decayed per epoch,
 * dropout) for {@code averageEvery} mini-batches; the driver collects the partitions' parameters and averages them,
 * weighted by the samples each trained on in the round: θ ← Σ_p (n_p / Σ n) θ_p, and the optimiser's state the same
 * way ({@link OptimizerState}). That is the averaging of Deeplearning4j's Spark trainer
 * (ParameterAveragingTrainingMaster, with its updaters averaged) and of "local SGD" (e.g. Stich 2019, Lin et al.
 * 2020).
 *
 * <p>Semantics, precisely. An epoch consumes {@code min(batchSize, samples)} samples as on one machine, shared
 * between the partitions in proportion to their sizes; each partition visits its share in its own order (data
 * order, or a permutation drawn from the shuffle seed + the epoch + a constant times the partition), in
 * mini-batches of {@code miniBatchSize}. Round r of an epoch trains mini-batches r·k to r·k + k − 1 of every
 * partition (k = {@code averageEvery}); partitions with fewer mini-batches sit the last rounds out. Rounds never
 * cross an epoch's end. The dropout masks of partition p are those of {@link Network#replica}(p) at the
 * mini-batch's (epoch, index). So with one partition, whatever {@code averageEvery}, training is exactly the
 * single-machine {@link Trainer}'s, bit for bit at one thread (tested); with several, each round averages P
 * replicas that took k steps each from the same point.
 *
 * <p>Faults: a task that fails is retried by Spark ({@code spark.task.maxFailures}); a retried task starts again
 * from the round's broadcast parameters and its partition's samples, so the round's result is the same. A driver
 * that dies loses the rounds since the last checkpoint ({@link Builder#checkpoint}, written after a round):
 * {@link Builder#resume} continues from it with the same results as an uninterrupted run.
 *
 * <p>Threads: each task trains on one thread with {@code threadsPerTask} BLAS threads (default 1); ND4J's own
 * threads come from {@code OMP_NUM_THREADS} of the executor's environment ({@code spark.executorEnv.OMP_NUM_THREADS};
 * in local mode, the driver's).
 *
 * <p>The network's parameters travel as float32: train a float32 network ({@link Network#create(ModelSpec, long)}).
 */
public final class SparkTrainer {

    /** Runs on an executor at the end of a partition's part of a round (tests use it to fail a task once). */
    @FunctionalInterface
    interface TaskHook extends Serializable {
        void afterTraining(int partition, int epoch, int firstBatch, int attempt);
    }

    private static final long SHUFFLE_STEP = 0x9E3779B97F4A7C15L;

    private final Network network;
    private final JavaSparkContext sc;
    private final Hyperparams hyperparams;
    private final int averageEvery;
    private final int partitions;
    private final SparkDataSet.Cache cache;
    private final OptionalLong shuffleSeed;
    private final List<TrainingListener> listeners;
    private final TrainingState start;
    private final CheckpointInterval checkpointInterval;
    private final Trainer.CheckpointSink checkpointSink;
    private final int threadsPerTask;
    private final TaskHook hook;
    private final String runId = UUID.randomUUID().toString();
    /** The name of the optimiser the network's description names, as a training state records it. */
    private final String optimizer;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile TrainingState position;

    private SparkTrainer(Builder b) {
        this.network = b.network;
        this.sc = b.sc;
        this.hyperparams = b.hyperparams;
        this.averageEvery = b.averageEvery;
        this.partitions = b.partitions > 0 ? b.partitions : Math.max(1, b.sc.defaultParallelism());
        this.cache = b.cache;
        this.shuffleSeed = b.shuffleSeed;
        this.listeners = List.copyOf(b.listeners);
        this.start = b.start;
        this.checkpointInterval = b.checkpointInterval;
        this.checkpointSink = b.checkpointSink;
        this.threadsPerTask = b.threadsPerTask;
        this.hook = b.hook;
        this.optimizer = Optimizers.of(b.network.model().network().optimizer()).name();
        this.position = start != null ? start : TrainingState.start(shuffleSeed, optimizer);
        if (network.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("a SparkTrainer trains float32 networks (parameters travel as float[]),"
                    + " this one is " + network.dataType());
        }
    }

    /** A trainer of {@code network} on the cluster of {@code sc}. */
    public static Builder builder(Network network, JavaSparkContext sc) {
        return new Builder(network, sc);
    }

    /** The same for a Scala {@code SparkContext}; for a {@code SparkSession}: {@code builder(network, spark.sparkContext())}. */
    public static Builder builder(Network network, SparkContext sc) {
        return new Builder(network, JavaSparkContext.fromSparkContext(sc));
    }

    /** The network trained (its parameters are the latest average after every round). */
    public Network network() {
        return network;
    }

    public int averageEvery() {
        return averageEvery;
    }

    /** The partitions {@link #read} splits data into. */
    public int partitions() {
        return partitions;
    }

    public SparkDataSet.Cache cache() {
        return cache;
    }

    public Hyperparams hyperparams() {
        return hyperparams;
    }

    /** Reads training samples on the cluster in this trainer's partitions, with its cache (see {@link SparkDataSet}). */
    public SparkDataSet read(String location) {
        return read(location, SparkDataSet.Role.TRAIN, Integer.MAX_VALUE);
    }

    /** Reads the first {@code limit} samples at {@code location} for {@code role} (an MNIST folder's train or t10k files). */
    public SparkDataSet read(String location, SparkDataSet.Role role, int limit) {
        return SparkDataSet.read(sc, location, network.model().data(), role, partitions, limit, cache);
    }

    /** Asks the running {@link #fit} to stop after the current round; safe from any thread. */
    public void requestStop() {
        stopRequested.set(true);
    }

    /** Where training stands (for a checkpoint): as {@link Trainer#state()}, mini-batches counted per partition. */
    public TrainingState state() {
        return position;
    }

    /**
     * Trains for the configured epochs (or until a stop is requested) from the start or from the state given to
     * {@link Builder#resume}; returns one result per epoch run.
     *
     * @throws TrainingDivergedException when a partition's cost, or the averaged parameters, stop being finite
     * @throws DataException             when the data's classes are not the network's, or a resumed position is
     *                                   not one this data and partitioning reach
     */
    public List<EpochResult> fit(SparkDataSet data) {
        if (!data.classes().equals(network.model().classes())) {
            throw new DataException("the data's classes " + data.classes() + " differ from the network's "
                    + network.model().classes());
        }
        int[] sizes = data.partitionSizes();
        int mini = hyperparams.miniBatchSize();
        int perEpoch = Math.min(hyperparams.batchSize(), data.size());
        int[] shares = shares(sizes, perEpoch);
        int maxBatches = 0;
        for (int share : shares) {
            maxBatches = Math.max(maxBatches, (share + mini - 1) / mini);
        }
        Run run = new Run(runId, data.id(), modelJson(network.model()), network.seed(), network.kernels().name(),
                hyperparams.epochs(), mini, shares, data.partitionSizes(), shuffleSeed.isPresent()
                ? shuffleSeed.getAsLong() : null, threadsPerTask, data.cache(), data.layout(), optimizer, hook);
        TrainingState from = start != null ? start : TrainingState.start(shuffleSeed, optimizer);
        float[] parameters = Parameters.of(network);
        OptimizerState optimizerState = OptimizerState.of(from.optimizerState());
        List<EpochResult> results = new ArrayList<>();
        long batchesRun = 0;
        position = from;
        try {
            for (int epoch = from.epoch(); epoch < hyperparams.epochs() && !stopRequested.get(); epoch++) {
                boolean resumed = epoch == from.epoch();
                int batch = resumed ? from.batch() : 0;
                int done = samplesBefore(shares, batch, mini);
                if (resumed && done != from.samples()) {
                    throw new DataException("cannot resume at " + from.describe() + ": after " + batch
                            + " mini-batches of " + mini + " per partition, the " + shares.length + " partitions of "
                            + data.location() + " hold " + done + " samples of the epoch, not " + from.samples()
                            + "; the data, the partitions or the mini-batch size differ from the run that wrote the"
                            + " checkpoint");
                }
                double cost = resumed ? from.cost() : 0;
                int epochNow = epoch;
                listeners.forEach(l -> l.epochStarted(epochNow, hyperparams.epochs(), perEpoch));
                long epochStart = System.nanoTime();
                int rounds = (maxBatches + averageEvery - 1) / averageEvery;
                while (batch < maxBatches && !stopRequested.get()) {
                    long roundStart = System.nanoTime();
                    int k = Math.min(averageEvery, maxBatches - batch);
                    Round round = round(data, run, new Start(parameters, optimizerState), epoch, batch, k);
                    parameters = round.parameters();
                    optimizerState = round.optimizer();
                    Parameters.assign(network, parameters);
                    batch += k;
                    done += round.samples();
                    cost += round.cost();
                    position = new TrainingState(epoch, batch, done, cost, shuffleSeed, optimizer,
                            optimizerState.toMap(network.dataType()));
                    int doneNow = done;
                    listeners.forEach(l -> l.batchDone(epochNow, doneNow, perEpoch, round.cost()));
                    RoundResult result = new RoundResult(epoch, (batch - 1) / averageEvery, rounds, k,
                            round.partitions(), round.samples(), round.samples() == 0 ? Double.NaN
                            : round.cost() / round.samples(), (System.nanoTime() - roundStart) / 1e9,
                            round.trainingSeconds(), 2L * 4 * parameters.length * round.partitions());
                    for (TrainingListener l : listeners) {
                        if (l instanceof SparkTrainingListener spark) {
                            spark.roundFinished(result);
                        }
                    }
                    long before = batchesRun;
                    batchesRun += k;
                    if (checkpointInterval != null && !checkpointInterval.epochs()
                            && before / checkpointInterval.count() != batchesRun / checkpointInterval.count()) {
                        checkpoint(parameters, epoch, batch);
                    }
                }
                boolean complete = batch >= maxBatches;
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                EpochResult result = new EpochResult(epoch, hyperparams.epochs(), done,
                        done == 0 ? Double.NaN : cost / done, seconds, done < perEpoch);
                if (complete) {
                    position = new TrainingState(epoch + 1, 0, 0, 0, shuffleSeed, optimizer,
                            optimizerState.toMap(network.dataType()));
                }
                results.add(result);
                listeners.forEach(l -> l.epochFinished(result));
                if (complete && checkpointInterval != null && checkpointInterval.epochs()
                        && (epoch + 1) % checkpointInterval.count() == 0) {
                    checkpoint(parameters, epoch, batch - 1);
                }
            }
        } finally {
            stopRequested.set(false);
            forget(data);
        }
        return results;
    }

    /**
     * Accuracy, mean cost and confusion matrix of the network on {@code data}, computed on the executors (each
     * partition evaluates its samples, the driver adds the counts).
     */
    public Evaluation evaluate(SparkDataSet data) {
        if (!data.classes().equals(network.model().classes())) {
            throw new DataException("the data's classes " + data.classes() + " differ from the network's "
                    + network.model().classes());
        }
        Run run = new Run(runId, data.id(), modelJson(network.model()), network.seed(), network.kernels().name(),
                hyperparams.epochs(), hyperparams.miniBatchSize(), new int[data.partitions()], data.partitionSizes(),
                null, threadsPerTask, data.cache(), data.layout(), optimizer, null);
        Broadcast<float[]> broadcast = sc.broadcast(Parameters.of(network));
        try {
            List<Evaluated> parts = data.blocks().mapPartitionsWithIndex(new EvaluateTask(run, broadcast), true)
                    .collect();
            int k = data.classes().size();
            long[][] confusion = new long[k][k];
            int samples = 0;
            int correct = 0;
            double cost = 0;
            for (Evaluated part : parts) {
                samples += part.samples();
                correct += part.correct();
                cost += part.cost();
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        confusion[a][b] += part.confusion()[a][b];
                    }
                }
            }
            return new Evaluation(data.classes(), samples, correct, cost, confusion);
        } finally {
            broadcast.destroy();
        }
    }

    /** One round: broadcast, every partition's k mini-batches, the weighted average. */
    private Round round(SparkDataSet data, Run run, Start start, int epoch, int firstBatch, int k) {
        float[] parameters = start.parameters();
        Broadcast<Start> broadcast = sc.broadcast(start);
        List<Trained> parts;
        try {
            parts = data.blocks().mapPartitionsWithIndex(new RoundTask(run, broadcast, epoch, firstBatch, k), true)
                    .collect();
        } finally {
            broadcast.destroy();
        }
        for (Trained part : parts) {
            if (part.diverged() != null) {
                throw new TrainingDivergedException(part.diverged() + " (partition " + part.partition() + " of "
                        + parts.size() + ")", epoch, part.divergedBatch(), part.divergedLayer());
            }
        }
        long samples = 0;
        double cost = 0;
        int trained = 0;
        for (Trained part : parts) {
            if (part.samples() > 0) {
                samples += part.samples();
                cost += part.cost();
                trained++;
            }
        }
        double[] sum = new double[parameters.length];
        List<OptimizerState> states = new ArrayList<>();
        double[] weights = new double[trained];
        for (Trained part : parts) {                                   // in partition order: deterministic sums
            if (part.samples() == 0) {
                continue;
            }
            double weight = (double) part.samples() / samples;          // 1.0 exactly for a single partition
            weights[states.size()] = weight;
            states.add(part.optimizer());
            float[] values = part.parameters();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weight * values[i];
            }
        }
        float[] average = new float[parameters.length];
        for (int i = 0; i < average.length; i++) {
            average[i] = (float) sum[i];
        }
        double slowest = 0;
        for (Trained part : parts) {
            slowest = Math.max(slowest, part.seconds());
        }
        return new Round(average, OptimizerState.average(states, weights), (int) samples, cost, trained, slowest);
    }

    /** Checks that the parameters are finite, then hands the state to the checkpoint sink. */
    private void checkpoint(float[] parameters, int epoch, int lastBatch) {
        for (int i = 0; i < parameters.length; i++) {
            if (!Float.isFinite(parameters[i])) {
                throw new TrainingDivergedException("training diverged in epoch " + (epoch + 1) + ": the averaged"
                        + " parameters hold " + (Float.isNaN(parameters[i]) ? "NaN" : "infinite") + " values ("
                        + layerOf(i) + "); lower learnRate, e.g. to a tenth", epoch, lastBatch, layerOf(i));
            }
        }
        checkpointSink.write(position);
    }

    /** The config path of the layer holding parameter value {@code index}. */
    private String layerOf(int index) {
        int at = 0;
        for (int l = 0; l < network.layers().size(); l++) {
            Layer layer = network.layers().get(l);
            for (Parameter p : layer.parameters()) {
                at += (int) p.value().length();
                if (index < at) {
                    return network.model().network().path(l);
                }
            }
        }
        return null;
    }

    /** Frees the networks the executors keep for this run (best effort). */
    private void forget(SparkDataSet data) {
        if (!sc.sc().isStopped()) {
            try {
                data.blocks().foreachPartition(new SparkDataSet.Evict(data.id() + "/train/" + runId + "/"));
            } catch (RuntimeException e) {
                // an executor that cannot be reached keeps them until it ends; nothing depends on it
            }
        }
    }

    /**
     * The samples each partition trains on per epoch: {@code perEpoch} shared in proportion to the partitions'
     * sizes (largest remainders), never more than a partition holds; one partition takes all.
     */
    static int[] shares(int[] sizes, int perEpoch) {
        long total = 0;
        for (int s : sizes) {
            total += s;
        }
        int[] shares = new int[sizes.length];
        double[] remainders = new double[sizes.length];
        int given = 0;
        for (int p = 0; p < sizes.length; p++) {
            double exact = (double) perEpoch * sizes[p] / total;
            shares[p] = (int) Math.floor(exact);
            remainders[p] = exact - shares[p];
            given += shares[p];
        }
        while (given < perEpoch) {
            int best = -1;
            for (int p = 0; p < sizes.length; p++) {
                if (shares[p] < sizes[p] && (best < 0 || remainders[p] > remainders[best])) {
                    best = p;
                }
            }
            shares[best]++;
            remainders[best] = -1;
            given++;
        }
        return shares;
    }

    /** Samples the partitions have trained on after {@code batches} mini-batches each. */
    static int samplesBefore(int[] shares, int batches, int mini) {
        int done = 0;
        for (int share : shares) {
            done += (int) Math.min(share, (long) batches * mini);
        }
        return done;
    }

    private static String modelJson(ModelSpec model) {
        try {
            return new ObjectMapper().writeValueAsString(model);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the model description: " + e.getMessage(), e);
        }
    }

    /** A round's outcome on the driver. */
    private record Round(float[] parameters, OptimizerState optimizer, int samples, double cost, int partitions,
                         double trainingSeconds) {
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the tasks get and send back

    /** Everything a task needs besides the round's parameters (sent with every task, a few hundred bytes). */
    record Run(String runId, String dataId, String modelJson, long seed, String kernels, int epochs, int miniBatch,
               int[] shares, int[] keep, Long shuffleSeed, int threadsPerTask, SparkDataSet.Cache cache,
               DataLayout layout, String optimizer, TaskHook hook) implements Serializable {
    }

    /** What every partition starts a round from: the parameters and the optimiser's state. */
    record Start(float[] parameters, OptimizerState optimizer) implements Serializable {
    }

    /** A partition's part of a round. */
    record Trained(int partition, float[] parameters, OptimizerState optimizer, int samples, double cost,
                   int batches, double seconds, String diverged, int divergedBatch, String divergedLayer)
            implements Serializable {

        static Trained idle(int partition) {
            return new Trained(partition, null, null, 0, 0, 0, 0, null, 0, null);
        }
    }

    /** A partition's evaluation. */
    record Evaluated(int samples, int correct, double cost, long[][] confusion) implements Serializable {
    }

    /** Trains a partition's mini-batches of a round. */
    static final class RoundTask implements Function2<Integer, Iterator<SampleBlock>, Iterator<Trained>> {
        private static final long serialVersionUID = 1L;
        private final Run run;
        private final Broadcast<Start> start;
        private final int epoch;
        private final int firstBatch;
        private final int batches;

        RoundTask(Run run, Broadcast<Start> start, int epoch, int firstBatch, int batches) {
            this.run = run;
            this.start = start;
            this.epoch = epoch;
            this.firstBatch = firstBatch;
            this.batches = batches;
        }

        @Override
        public Iterator<Trained> call(Integer partition, Iterator<SampleBlock> blocks) {
            int p = partition;
            int share = run.shares()[p];
            int mini = run.miniBatch();
            if (share == 0 || firstBatch >= (share + mini - 1) / mini) {
                return List.of(Trained.idle(p)).iterator();                 // this partition's epoch is done
            }
            threads(run.threadsPerTask());
            InMemoryDataSet data = PartitionCache.data(run.dataId(), p, run.keep()[p], run.cache(), blocks,
                    run.layout());
            Network network = PartitionCache.network(run.dataId() + "/train/" + run.runId() + "/" + p, () -> build(run).replica(p));
            Start begin = start.value();
            Parameters.assign(network, begin.parameters());               // copies: the broadcast stays as it is
            OptionalLong shuffle = run.shuffleSeed() == null ? OptionalLong.empty()
                    : OptionalLong.of(run.shuffleSeed() + p * SHUFFLE_STEP);
            TrainingState from = new TrainingState(epoch, firstBatch, (int) Math.min(share, (long) firstBatch * mini),
                    0, shuffle, run.optimizer(), begin.optimizer().toMap(network.dataType()));
            Counter counter = new Counter(batches, from.samples());
            Trainer trainer = Trainer.builder(network).hyperparams(new Hyperparams(run.epochs(), share, mini))
                    .resume(from).listener(counter).build();
            counter.trainer = trainer;
            long start = System.nanoTime();
            try {
                trainer.fit(data);
            } catch (TrainingDivergedException e) {
                return List.of(new Trained(p, null, null, 0, 0, 0, 0, e.getMessage(), e.batch(), e.layer()))
                        .iterator();
            }
            if (run.hook() != null) {
                TaskContext context = TaskContext.get();
                run.hook().afterTraining(p, epoch, firstBatch, context == null ? 0 : context.attemptNumber());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return List.of(new Trained(p, Parameters.of(network), OptimizerState.of(trainer.state().optimizerState()),
                    counter.samples, counter.cost, counter.batches, seconds, null, 0, null)).iterator();
        }
    }

    /** Evaluates a partition's samples. */
    static final class EvaluateTask implements Function2<Integer, Iterator<SampleBlock>, Iterator<Evaluated>> {
        private static final long serialVersionUID = 1L;
        private final Run run;
        private final Broadcast<float[]> parameters;

        EvaluateTask(Run run, Broadcast<float[]> parameters) {
            this.run = run;
            this.parameters = parameters;
        }

        @Override
        public Iterator<Evaluated> call(Integer partition, Iterator<SampleBlock> blocks) {
            int k = run.layout().classes().size();
            InMemoryDataSet data = PartitionCache.data(run.dataId(), partition, run.keep()[partition], run.cache(),
                    blocks, run.layout());
            if (data == null) {
                return List.of(new Evaluated(0, 0, 0, new long[k][k])).iterator();
            }
            threads(run.threadsPerTask());
            Network network = PartitionCache.network(run.dataId() + "/evaluate/" + run.runId() + "/" + partition, () -> build(run));
            Parameters.assign(network, parameters.value());
            Evaluation e = Evaluation.of(network, data, 256);
            return List.of(new Evaluated(e.samples(), e.correct(), e.totalCost(), e.confusion())).iterator();
        }
    }

    /** Counts what a task's trainer did and stops it after its round's mini-batches or at the epoch's end. */
    private static final class Counter implements TrainingListener {
        private final int limit;
        private final int startSamples;
        Trainer trainer;
        int batches;
        int samples;
        double cost;

        Counter(int limit, int startSamples) {
            this.limit = limit;
            this.startSamples = startSamples;
        }

        @Override
        public void batchDone(int epoch, int samplesDone, int samplesPlanned, double batchCost) {
            batches++;
            cost += batchCost;
            samples = samplesDone - startSamples;                      // samplesDone counts the epoch's samples
            if (batches >= limit) {
                trainer.requestStop();
            }
        }

        @Override
        public void epochFinished(EpochResult result) {
            trainer.requestStop();                                      // rounds never cross an epoch's end
        }
    }

    /** A network of the run's description whose parameters the task then sets; built once per executor. */
    private static Network build(Run run) {
        ModelSpec model = DescriptionReader.parseJson(run.modelJson(), "the model description")
                .model("", Set.of(), DescriptionReader.UnknownKeys.REJECT, new ArrayList<>());
        return Network.create(model, run.seed(), DataType.FLOAT, Kernels.named(run.kernels()));
    }

    private static int threadsSet;

    /** Sets the executor's BLAS threads (once per JVM: the pool is shared by its tasks). */
    private static synchronized void threads(int n) {
        if (threadsSet != n) {
            Nd4j.factory().blas().setMaxThreads(n);
            threadsSet = n;
        }
    }

    /** Configures a {@link SparkTrainer}. */
    public static final class Builder {
        private final Network network;
        private final JavaSparkContext sc;
        private Hyperparams hyperparams;
        private int averageEvery = 1;
        private int partitions;
        private SparkDataSet.Cache cache = SparkDataSet.Cache.MEMORY;
        private OptionalLong shuffleSeed = OptionalLong.empty();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private TrainingState start;
        private CheckpointInterval checkpointInterval;
        private Trainer.CheckpointSink checkpointSink;
        private int threadsPerTask = 1;
        private TaskHook hook;

        private Builder(Network network, JavaSparkContext sc) {
            this.network = Objects.requireNonNull(network, "network");
            this.sc = Objects.requireNonNull(sc, "sc");
            this.hyperparams = network.model().network().hyperparams();
        }

        /** Epochs, samples per epoch and mini-batch size; defaults to the network's description. */
        public Builder hyperparams(Hyperparams value) {
            this.hyperparams = Objects.requireNonNull(value, "hyperparams");
            return this;
        }

        public Builder epochs(int epochs) {
            this.hyperparams = new Hyperparams(epochs, hyperparams.batchSize(), hyperparams.miniBatchSize());
            return this;
        }

        /** Mini-batches each partition trains between two averages (default 1: average after every mini-batch). */
        public Builder averageEvery(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("averageEvery must be at least 1, got " + batches);
            }
            this.averageEvery = batches;
            return this;
        }

        /** Partitions {@link SparkTrainer#read} splits data into (default: Spark's default parallelism). */
        public Builder partitions(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + value);
            }
            this.partitions = value;
            return this;
        }

        /** How {@link SparkTrainer#read} keeps the samples between rounds (default {@link SparkDataSet.Cache#MEMORY}). */
        public Builder cache(SparkDataSet.Cache value) {
            this.cache = Objects.requireNonNull(value, "cache");
            return this;
        }

        /** Shuffles every partition's samples every epoch, with permutations drawn from {@code seed}. */
        public Builder shuffle(long seed) {
            this.shuffleSeed = OptionalLong.of(seed);
            return this;
        }

        /** Gets epoch and mini-batch calls as from a {@link Trainer} (one batchDone per round), and rounds if a {@link SparkTrainingListener}. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Continues from a checkpoint's state (its shuffle seed replaces {@link #shuffle}); the network must hold its parameters. */
        public Builder resume(TrainingState state) {
            this.start = Objects.requireNonNull(state, "state");
            this.shuffleSeed = state.shuffleSeed();
            return this;
        }

        /**
         * Hands the state to {@code sink} after the round in which every {@code interval.count()}-th mini-batch (of
         * each partition) was trained, or after every N-th epoch; the network then holds the round's average.
         */
        public Builder checkpoint(CheckpointInterval interval, Trainer.CheckpointSink sink) {
            this.checkpointInterval = Objects.requireNonNull(interval, "interval");
            this.checkpointSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** BLAS threads each task uses (default 1; give the executors as many cores per task, spark.task.cpus). */
        public Builder threadsPerTask(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads per task must be at least 1, got " + threads);
            }
            this.threadsPerTask = threads;
            return this;
        }

        /** For tests: runs on the executor after each partition's training of a round. */
        Builder taskHook(TaskHook value) {
            this.hook = value;
            return this;
        }

        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}
