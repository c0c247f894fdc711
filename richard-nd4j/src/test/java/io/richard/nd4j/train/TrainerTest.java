package io.richard.nd4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import io.richard.api.Optimizer;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import io.richard.api.spec.DenseLayerSpec;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.NetworkSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Network;
import io.richard.nd4j.optimize.Momentum;
import io.richard.nd4j.optimize.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training loop (richard-reference.md §3.1 semantics, with the partial last mini-batch applied in its own
 * epoch) against a plain-Java SGD of a 3 → 4 → 2 sigmoid network in float64, written from (1)–(17): per
 * mini-batch the per-sample gradients are SUMMED (not averaged) and each layer steps by λ · decay^epoch (11).
 */
class TrainerTest {

    private static final double TOL = 1e-11;
    private static final Shape INPUT = Shape.flat(3);
    private static final List<String> CLASSES = List.of("0", "1");
    // 5 samples of 3 values, labels 0/1
    private static final double[][] X = {
        {0.1, 0.9, 0.3},
        {0.8, 0.2, 0.5},
        {0.4, 0.4, 0.9},
        {0.0, 1.0, 0.2},
        {0.7, 0.3, 0.1}};
    private static final int[] LABELS = {0, 1, 1, 0, 1};

    // per-layer learning rates and per-epoch decays, different per layer
    private static final double LR_HIDDEN = 0.5;
    private static final double DECAY_HIDDEN = 0.5;
    private static final double LR_OUTPUT = 0.3;
    private static final double DECAY_OUTPUT = 0.9;

    private static Network network(Hyperparams hyperparams) {
        NetworkSpec spec = NetworkSpec.builder()
                .hyperparams(hyperparams)
                .layer(new DenseLayerSpec(4, LR_HIDDEN, DECAY_HIDDEN, 0.0))
                .output(new OutputLayerSpec(2, LR_OUTPUT, DECAY_OUTPUT));
        Network network = Network.create(INPUT, spec, 3, DataType.DOUBLE);
        // larger weights than N(0, 0.1) and non-zero biases so every step moves the parameters visibly
        Nd4j.getRandom().setSeed(4);
        for (var layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                p.value().assign(Nd4j.randn(DataType.DOUBLE, p.value().shape()).muli(0.8));
            }
        }
        return network;
    }

    // ------------------------------------------------------------------------------------------------------
    // A plain-Java copy of the network and its SGD

    /**
     * W1 (4×3), b1, W2 (2×4), b2 as double arrays, trained on the samples {@code x} (normally {@link #X}) by SGD or,
     * with μ > 0, by SGD with momentum: per parameter θ a velocity v, zero at the start, v ← μ v + Σ∇θ, θ ← θ − λ v.
     */
    static final class Manual {
        final double[][] w1;
        final double[] b1;
        final double[][] w2;
        final double[] b2;
        final double mu;
        final double[][] x;
        final double[][] vw1 = new double[4][3];
        final double[] vb1 = new double[4];
        final double[][] vw2 = new double[2][4];
        final double[] vb2 = new double[2];
        final List<Double> epochMeanCosts = new ArrayList<>();
        int updates;

        Manual(Network network) {
            this(network, 0, X);
        }

        Manual(Network network, double mu, double[][] x) {
            w1 = network.layers().get(0).parameters().get(0).value().toDoubleMatrix();
            b1 = network.layers().get(0).parameters().get(1).value().toDoubleVector();
            w2 = network.layers().get(1).parameters().get(0).value().toDoubleMatrix();
            b2 = network.layers().get(1).parameters().get(1).value().toDoubleVector();
            this.mu = mu;
            this.x = x;
        }

        static double sigmoid(double z) {
            return 1 / (1 + Math.exp(-z));                                    // (3)
        }

        /**
         * Trains like the trainer should: epochs × (first min(batchSize, 5) samples in mini-batches of miniBatch,
         * last one partial), stopping after {@code stopAfter} updates in total (or never, if negative).
         */
        void train(int epochs, int batchSize, int miniBatch, int stopAfter) {
            int samples = Math.min(batchSize, X.length);
            for (int e = 0; e < epochs; e++) {
                double lr1 = LR_HIDDEN * Math.pow(DECAY_HIDDEN, e);
                double lr2 = LR_OUTPUT * Math.pow(DECAY_OUTPUT, e);
                double cost = 0;
                int done = 0;
                for (int start = 0; start < samples; start += miniBatch) {
                    double[][] gw1 = new double[4][3];
                    double[] gb1 = new double[4];
                    double[][] gw2 = new double[2][4];
                    double[] gb2 = new double[2];
                    for (int s = start; s < Math.min(start + miniBatch, samples); s++) {
                        double[] x = this.x[s];
                        double[] y = {LABELS[s] == 0 ? 1 : 0, LABELS[s] == 1 ? 1 : 0};
                        double[] a1 = new double[4];
                        for (int i = 0; i < 4; i++) {
                            double z = b1[i];
                            for (int j = 0; j < 3; j++) {
                                z += w1[i][j] * x[j];                         // (1)
                            }
                            a1[i] = sigmoid(z);                               // (2)
                        }
                        double[] a2 = new double[2];
                        for (int i = 0; i < 2; i++) {
                            double z = b2[i];
                            for (int j = 0; j < 4; j++) {
                                z += w2[i][j] * a1[j];
                            }
                            a2[i] = sigmoid(z);
                        }
                        double[] d2 = new double[2];
                        for (int i = 0; i < 2; i++) {
                            cost += 0.5 * (y[i] - a2[i]) * (y[i] - a2[i]);  // (15), before the update
                            d2[i] = (a2[i] - y[i]) * a2[i] * (1 - a2[i]);   // (17) into (14)
                            gb2[i] += d2[i];                                  // (10), summed
                            for (int j = 0; j < 4; j++) {
                                gw2[i][j] += d2[i] * a1[j];                   // (9), summed
                            }
                        }
                        for (int j = 0; j < 4; j++) {
                            double g = 0;
                            for (int i = 0; i < 2; i++) {
                                g += w2[i][j] * d2[i];                        // (13)
                            }
                            double d1 = g * a1[j] * (1 - a1[j]);             // (8)
                            gb1[j] += d1;
                            for (int k = 0; k < 3; k++) {
                                gw1[j][k] += d1 * x[k];
                            }
                        }
                        done++;
                    }
                    // (11) W ← W − λ_e v, b ← b − λ_e v, per layer with its own λ_e = λ · decay^e, where v ← μ v + Σ∇
                    // (v = Σ∇ for SGD, μ = 0)
                    for (int i = 0; i < 4; i++) {
                        vb1[i] = mu * vb1[i] + gb1[i];
                        b1[i] -= lr1 * vb1[i];
                        for (int j = 0; j < 3; j++) {
                            vw1[i][j] = mu * vw1[i][j] + gw1[i][j];
                            w1[i][j] -= lr1 * vw1[i][j];
                        }
                    }
                    for (int i = 0; i < 2; i++) {
                        vb2[i] = mu * vb2[i] + gb2[i];
                        b2[i] -= lr2 * vb2[i];
                        for (int j = 0; j < 4; j++) {
                            vw2[i][j] = mu * vw2[i][j] + gw2[i][j];
                            w2[i][j] -= lr2 * vw2[i][j];
                        }
                    }
                    updates++;
                    if (updates == stopAfter) {
                        epochMeanCosts.add(cost / done);
                        return;
                    }
                }
                epochMeanCosts.add(cost / done);
            }
        }

        void assertMatches(Network network) {
            assertMatrix(w1, network.layers().get(0).parameters().get(0).value(), "W1");
            assertVector(b1, network.layers().get(0).parameters().get(1).value(), "b1");
            assertMatrix(w2, network.layers().get(1).parameters().get(0).value(), "W2");
            assertVector(b2, network.layers().get(1).parameters().get(1).value(), "b2");
        }

        /** The momentum optimiser's state: a velocity per parameter, under {@code velocity/KEY}. */
        void assertVelocities(Map<String, INDArray> state) {
            assertEquals(List.of("velocity/hiddenLayers[0].W", "velocity/hiddenLayers[0].b", "velocity/outputLayer.W",
                    "velocity/outputLayer.b"), List.copyOf(state.keySet()));
            assertMatrix(vw1, state.get("velocity/hiddenLayers[0].W"), "v of W1");
            assertVector(vb1, state.get("velocity/hiddenLayers[0].b"), "v of b1");
            assertMatrix(vw2, state.get("velocity/outputLayer.W"), "v of W2");
            assertVector(vb2, state.get("velocity/outputLayer.b"), "v of b2");
        }

        private static void assertMatrix(double[][] expected, INDArray actual, String what) {
            double[][] m = actual.toDoubleMatrix();
            for (int i = 0; i < expected.length; i++) {
                for (int j = 0; j < expected[i].length; j++) {
                    assertEquals(expected[i][j], m[i][j], TOL, what + "[" + i + "][" + j + "]");
                }
            }
        }

        private static void assertVector(double[] expected, INDArray actual, String what) {
            double[] v = actual.toDoubleVector();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], v[i], TOL, what + "[" + i + "]");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers: an in-memory data set (sequential order only) and recorders

    /**
     * A minimal labelled data set over {@link #X}, streaming rows in data order, in float64 or, with
     * {@code firstInFloat}, the first mini-batch of every pass in float32.
     */
    static final class ArrayDataSet implements LabelledDataSet {
        final List<Integer> batchSizes = new ArrayList<>();
        final boolean firstInFloat;

        ArrayDataSet() {
            this(false);
        }

        ArrayDataSet(boolean firstInFloat) {
            this.firstInFloat = firstInFloat;
        }

        @Override
        public List<String> classes() {
            return CLASSES;
        }

        @Override
        public Shape shape() {
            return INPUT;
        }

        @Override
        public int size() {
            return X.length;
        }

        @Override
        public BatchStream batches(int batchSize, int limit, SampleOrder order) {
            if (order.isShuffled()) {
                throw new UnsupportedOperationException("this test data set is sequential only");
            }
            int end = Math.min(limit, X.length);
            return new BatchStream() {
                int next;

                @Override
                public boolean hasNext() {
                    return next < end;
                }

                @Override
                public Batch next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int to = Math.min(next + batchSize, end);
                    double[][] x = Arrays.copyOfRange(X, next, to);
                    int[] labels = Arrays.copyOfRange(LABELS, next, to);
                    double[][] y = new double[labels.length][2];
                    for (int n = 0; n < labels.length; n++) {
                        y[n][labels[n]] = 1;
                    }
                    DataType type = firstInFloat && next == 0 ? DataType.FLOAT : DataType.DOUBLE;
                    next = to;
                    batchSizes.add(labels.length);
                    return new Batch(Nd4j.createFromArray(x).castTo(type), Nd4j.createFromArray(y).castTo(type),
                            labels);
                }
            };
        }
    }

    /**
     * Plain SGD that records the learning rate of every layer it updates (each layer's W, then b, once per mini-batch;
     * the rate recorded at W) and the parameter keys of the first step.
     */
    static final class RecordingSgd implements Optimizer {
        final Sgd sgd = new Sgd();
        final List<Double> rates = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        int steps;

        @Override
        public void beginStep() {
            steps++;
        }

        @Override
        public void update(String key, Parameter p, double learningRate) {
            if (steps == 1) {
                keys.add(key);
            }
            if (p.name().equals("W")) {
                rates.add(learningRate);
            }
            sgd.update(key, p, learningRate);
        }
    }

    /** Records every callback as text, and the numbers. */
    static final class RecordingListener implements TrainingListener {
        final List<String> events = new ArrayList<>();
        final List<Double> batchCosts = new ArrayList<>();
        final List<EpochResult> results = new ArrayList<>();

        @Override
        public void epochStarted(int epoch, int epochs, int samples) {
            events.add("start " + epoch + "/" + epochs + " samples " + samples);
        }

        @Override
        public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
            events.add("batch " + epoch + " " + samplesDone + "/" + samples);
            batchCosts.add(batchCost);
        }

        @Override
        public void epochFinished(EpochResult result) {
            events.add("finish " + result.epoch() + "/" + result.epochs() + " samples " + result.samples()
                    + (result.stopped() ? " stopped" : ""));
            results.add(result);
        }
    }

    // ------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "epochs={0} batchSize={1} miniBatchSize={2} threads={3}")
    @CsvSource({
        "3, 100, 2, 1",    // all 5 samples per epoch: mini-batches 2, 2, 1 (the partial one is applied)
        "2, 3, 2, 1",      // only the first 3 samples: 2, 1
        "2, 5, 5, 1",      // one full-batch update per epoch
        "1, 5, 1, 1",      // per-sample updates
        "3, 4, 3, 1",      // first 4 samples: 3, 1
        "0, 5, 2, 1",      // no training: parameters stay as initialised
        // every mini-batch split between threads (one smaller than the threads runs whole): the same updates
        "3, 100, 2, 2",
        "2, 5, 5, 2",
        "2, 5, 5, 3",
        "3, 4, 3, 2",
        "1, 5, 1, 2"})
    void updatesFollowTheReferenceLoopAndMatchManualSgd(int epochs, int batchSize, int miniBatch, int threads) {
        Hyperparams hyperparams = new Hyperparams(epochs, batchSize, miniBatch);
        Network network = network(hyperparams);
        Manual manual = new Manual(network);
        RecordingSgd sgd = new RecordingSgd();
        RecordingListener listener = new RecordingListener();
        ArrayDataSet data = new ArrayDataSet();
        List<EpochResult> results = Trainer.builder(network).optimizer(sgd).listener(listener).parallel(threads)
                .build().fit(data);

        int samples = Math.min(batchSize, X.length);
        int perEpoch = (samples + miniBatch - 1) / miniBatch;                   // ceil(samples / miniBatch)
        assertEquals(epochs, results.size());
        assertEquals(2 * epochs * perEpoch, sgd.rates.size(), "one update per layer per mini-batch");
        assertEquals(epochs * perEpoch, sgd.steps, "one step per mini-batch");
        if (epochs > 0) {
            assertEquals(List.of("hiddenLayers[0].W", "hiddenLayers[0].b", "outputLayer.W", "outputLayer.b"), sgd.keys,
                    "every parameter once per step, by its name in the network");
        }
        assertEquals(epochs * perEpoch, listener.batchCosts.size());
        // learning rates: per layer, λ · decay^e, constant within an epoch
        for (int e = 0; e < epochs; e++) {
            for (int b = 0; b < perEpoch; b++) {
                int call = 2 * (e * perEpoch + b);
                assertEquals(LR_HIDDEN * Math.pow(DECAY_HIDDEN, e), sgd.rates.get(call), 1e-15, "hidden λ epoch " + e);
                assertEquals(LR_OUTPUT * Math.pow(DECAY_OUTPUT, e), sgd.rates.get(call + 1), 1e-15, "output λ epoch " + e);
            }
        }
        // mini-batches as the data set streamed them: full ones, then the rest
        for (int e = 0; e < epochs; e++) {
            for (int b = 0; b < perEpoch; b++) {
                int expected = Math.min(miniBatch, samples - b * miniBatch);
                assertEquals(expected, data.batchSizes.get(e * perEpoch + b), "size of mini-batch " + b);
            }
        }

        manual.train(epochs, batchSize, miniBatch, -1);
        assertEquals(epochs * perEpoch, manual.updates);
        manual.assertMatches(network);
        for (int e = 0; e < epochs; e++) {
            EpochResult r = results.get(e);
            assertEquals(e, r.epoch());
            assertEquals(epochs, r.epochs());
            assertEquals(samples, r.samples());
            assertFalse(r.stopped());
            // mean cost = Σ per-sample cost (training-mode output, before each mini-batch's update) / samples
            assertEquals(manual.epochMeanCosts.get(e), r.meanCost(), TOL, "mean cost of epoch " + e);
        }
    }

    @Test
    void listenerCallbacksComeInOrderAndMeanCostIsTotalOverSamples() {
        Network network = network(new Hyperparams(2, 100, 2));
        RecordingListener listener = new RecordingListener();
        long before = System.nanoTime();
        List<EpochResult> results = Trainer.builder(network).listener(listener).build().fit(new ArrayDataSet());
        double elapsed = (System.nanoTime() - before) / 1e9;
        assertEquals(List.of(
                "start 0/2 samples 5",
                "batch 0 2/5", "batch 0 4/5", "batch 0 5/5",
                "finish 0/2 samples 5",
                "start 1/2 samples 5",
                "batch 1 2/5", "batch 1 4/5", "batch 1 5/5",
                "finish 1/2 samples 5"), listener.events);
        assertEquals(results, listener.results);
        for (int e = 0; e < 2; e++) {
            double total = listener.batchCosts.subList(3 * e, 3 * e + 3).stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(total / 5, results.get(e).meanCost(), 1e-15, "mean cost = total cost / samples");
            // each epoch's own wall time: positive, and together no more than fit took
            assertTrue(results.get(e).seconds() > 0, "seconds of epoch " + e);
        }
        assertTrue(results.get(0).seconds() + results.get(1).seconds() <= elapsed,
                results + " within " + elapsed + " s");
        // learning happens: the cost of epoch 1 is below that of epoch 0 on this easy problem
        assertTrue(results.get(1).meanCost() < results.get(0).meanCost(), results.toString());
    }

    @Test
    void requestStopFromAListenerStopsAfterTheCurrentMiniBatch() {
        Network network = network(new Hyperparams(4, 100, 2));
        Manual manual = new Manual(network);
        AtomicReference<Trainer> trainer = new AtomicReference<>();
        RecordingListener recorder = new RecordingListener();
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                if (epoch == 1 && samplesDone == 4) {
                    trainer.get().requestStop();                              // during the 2nd mini-batch of epoch 1
                }
            }
        };
        trainer.set(Trainer.builder(network).listener(recorder).listener(stopper).build());
        List<EpochResult> results = trainer.get().fit(new ArrayDataSet());

        assertFalse(trainer.get().stopRequested(), "the request is cleared when fit returns");
        assertEquals(List.of(
                "start 0/4 samples 5",
                "batch 0 2/5", "batch 0 4/5", "batch 0 5/5",
                "finish 0/4 samples 5",
                "start 1/4 samples 5",
                "batch 1 2/5", "batch 1 4/5",
                "finish 1/4 samples 4 stopped"), recorder.events);
        assertEquals(2, results.size());
        assertFalse(results.get(0).stopped());
        assertTrue(results.get(1).stopped());
        assertEquals(4, results.get(1).samples());
        // 3 updates in epoch 0, 2 in epoch 1 — the mini-batch during which the stop came is fully applied
        manual.train(4, 100, 2, 5);
        assertEquals(5, manual.updates);
        manual.assertMatches(network);
        assertEquals(manual.epochMeanCosts.get(1), results.get(1).meanCost(), TOL, "mean over the 4 samples done");
    }

    // ------------------------------------------------------------------------------------------------------
    // Shuffling: a new order every epoch, the same orders in every run with the same seed

    /** Wraps an in-memory data set and records, for every pass the trainer makes, the samples it visits. */
    static final class VisitRecorder implements LabelledDataSet {
        final io.richard.nd4j.data.InMemoryDataSet data;
        final List<List<Integer>> passes = new ArrayList<>();

        /** {@code n} samples of 2 values; sample s is (s, 0), class s mod 2: the first value names the sample. */
        VisitRecorder(int n) {
            float[][] x = new float[n][];
            int[] labels = new int[n];
            for (int s = 0; s < n; s++) {
                x[s] = new float[] {s, 0};
                labels[s] = s % 2;
            }
            data = io.richard.nd4j.data.InMemoryDataSet.of(CLASSES, Shape.flat(2), x, labels);
        }

        @Override
        public List<String> classes() {
            return data.classes();
        }

        @Override
        public Shape shape() {
            return data.shape();
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public BatchStream batches(int batchSize, int limit, SampleOrder order) {
            return record(data.batches(batchSize, limit, order));
        }

        @Override
        public BatchStream transientBatches(int batchSize, int limit, SampleOrder order) {
            return record(data.transientBatches(batchSize, limit, order));
        }

        private BatchStream record(BatchStream stream) {
            List<Integer> visited = new ArrayList<>();
            passes.add(visited);
            return new BatchStream() {
                @Override
                public boolean hasNext() {
                    return stream.hasNext();
                }

                @Override
                public Batch next() {
                    Batch batch = stream.next();
                    for (int n = 0; n < batch.size(); n++) {
                        visited.add((int) batch.x().getDouble(n, 0));
                    }
                    return batch;
                }

                @Override
                public void close() {
                    stream.close();
                }
            };
        }
    }

    /** The orders of the samples seen in each epoch of a fresh 2 → 2 network trained for 4 epochs. */
    private static List<List<Integer>> epochOrders(Long shuffleSeed, int samplesPerEpoch) {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(4, samplesPerEpoch, 3).output(2, 0.01);
        Network network = Network.create(Shape.flat(2), spec, 0, DataType.DOUBLE);
        VisitRecorder data = new VisitRecorder(20);
        Trainer.Builder builder = Trainer.builder(network);
        if (shuffleSeed != null) {
            builder.shuffle(shuffleSeed);
        }
        builder.build().fit(data);
        assertEquals(4, data.passes.size(), "one pass over the data per epoch");
        return data.passes;
    }

    @Test
    void shuffledTrainingVisitsANewOrderEveryEpochAndTheSameOrdersInEveryRun() {
        List<List<Integer>> orders = epochOrders(5L, 100);
        List<Integer> all = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            all.add(s);
        }
        for (int e = 0; e < 4; e++) {
            List<Integer> sorted = new ArrayList<>(orders.get(e));
            sorted.sort(null);
            assertEquals(all, sorted, "epoch " + e + " visits every sample once");
            assertFalse(orders.get(e).equals(all), "epoch " + e + " is shuffled");
            for (int f = 0; f < e; f++) {
                assertFalse(orders.get(e).equals(orders.get(f)), "epochs " + f + " and " + e + " differ");
            }
        }
        assertEquals(orders, epochOrders(5L, 100), "a second run with the same seed visits the same orders");
        // epoch e is the data set's permutation of seed + e: checkpoints store the seed, so a run resumed by another
        // version of richard must see the same orders
        VisitRecorder reference = new VisitRecorder(20);
        for (int e = 0; e < 4; e++) {
            List<Integer> expected = new ArrayList<>();
            try (BatchStream stream = reference.data.batches(7, 100, SampleOrder.shuffled(5L + e))) {
                while (stream.hasNext()) {
                    Batch batch = stream.next();
                    for (int n = 0; n < batch.size(); n++) {
                        expected.add((int) batch.x().getDouble(n, 0));
                    }
                }
            }
            assertEquals(expected, orders.get(e), "epoch " + e);
        }
        assertFalse(orders.equals(epochOrders(6L, 100)), "another seed, other orders");
    }

    @Test
    void aShuffledEpochOfFewerSamplesThanTheDataTakesANewSubsetEveryEpoch() {
        List<List<Integer>> orders = epochOrders(9L, 8);
        for (int e = 0; e < 4; e++) {
            assertEquals(8, orders.get(e).size());
            assertEquals(8, orders.get(e).stream().distinct().count(), "no sample twice in epoch " + e);
            for (int f = 0; f < e; f++) {
                assertFalse(orders.get(e).equals(orders.get(f)), "epochs " + f + " and " + e + " differ");
            }
        }
        assertEquals(orders, epochOrders(9L, 8));
    }

    @Test
    void withoutAShuffleSeedEveryEpochVisitsTheDataInOrder() {
        List<Integer> first12 = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            first12.add(s);
        }
        assertEquals(List.of(first12, first12, first12, first12), epochOrders(null, 12));
    }

    @Test
    void aStopRequestedBeforeFitEndsItAtOnceAndIsThenCleared() {
        Network network = network(new Hyperparams(3, 100, 2));
        Manual untouched = new Manual(network);
        Trainer trainer = Trainer.builder(network).build();
        trainer.requestStop();
        assertTrue(trainer.stopRequested());
        assertEquals(List.of(), trainer.fit(new ArrayDataSet()), "no epoch runs");
        untouched.assertMatches(network);
        assertFalse(trainer.stopRequested(), "cleared when fit returns");
        assertEquals(3, trainer.fit(new ArrayDataSet()).size(), "the trainer can be used again");
        assertEquals(3, trainer.hyperparams().epochs());
    }

    @Test
    void afterFitDropoutMasksFollowTheLayersCountAgain() {
        NetworkSpec spec = NetworkSpec.builder().hyperparams(2, 100, 2).layer(new DenseLayerSpec(4, 0.5, 1.0, 0.5))
                .output(new OutputLayerSpec(2, 0.3, 1.0));
        Network network = Network.create(INPUT, spec, 3, DataType.DOUBLE);
        Trainer.builder(network).build().fit(new ArrayDataSet());
        // outside a trainer each training-mode pass draws a new mask (the position the trainer set is cleared)
        INDArray x = Nd4j.createFromArray(X);
        INDArray first = network.layers().get(0).forward(x, io.richard.api.Mode.TRAINING).dup();
        INDArray second = network.layers().get(0).forward(x, io.richard.api.Mode.TRAINING).dup();
        assertFalse(first.equals(second), "two passes, two masks");
    }

    // ------------------------------------------------------------------------------------------------------
    // Where a trainer starts: the builder's hyper-parameters, every fit from the start, a resumed state

    private static final double MU = 0.9;

    @Test
    void theBuildersHyperparamsReplaceTheDescriptions() {
        Network network = network(new Hyperparams(5, 100, 1));
        Hyperparams given = new Hyperparams(2, 3, 2);
        Manual manual = new Manual(network);
        Trainer trainer = Trainer.builder(network).hyperparams(given).build();
        assertEquals(given, trainer.hyperparams());
        List<EpochResult> results = trainer.fit(new ArrayDataSet());
        assertEquals(2, results.size());
        assertEquals(3, results.get(1).samples());
        manual.train(2, 3, 2, -1);
        manual.assertMatches(network);
    }

    /**
     * A second fit of the same trainer, from the same parameters, starts the momentum optimiser's velocities at zero
     * again (the plain-Java momentum run twice); a fit stopped before its first mini-batch leaves the trainer at the
     * start, without velocities.
     */
    @Test
    void everyFitStartsFromTheStartWithTheOptimisersStateOfTheStart() {
        Network network = network(new Hyperparams(2, 100, 2));
        List<INDArray> initial = ParallelTrainingTest.values(network);
        Manual manual = new Manual(network, MU, X);
        manual.train(2, 100, 2, -1);
        Trainer trainer = Trainer.builder(network).optimizer(new Momentum(MU, false)).build();
        trainer.fit(new ArrayDataSet());
        manual.assertMatches(network);
        manual.assertVelocities(trainer.state().optimizerState());

        assign(network, initial);
        trainer.fit(new ArrayDataSet());
        manual.assertMatches(network);

        trainer.requestStop();
        assertEquals(List.of(), trainer.fit(new ArrayDataSet()));
        assertPosition(0, 0, 0, 0, trainer.state());
        assertEquals(Map.of(), trainer.state().optimizerState());
    }

    /**
     * A momentum run stopped after 4 updates (epoch 2 after its first mini-batch of 2 samples) and resumed from its
     * state by a new trainer: that trainer reports the state before fit (position and velocities), and ends with the
     * parameters and velocities of the uninterrupted plain-Java run.
     */
    @Test
    void aMomentumRunResumedFromItsStateEndsAsTheUninterruptedOne() {
        Network network = network(new Hyperparams(3, 100, 2));
        Manual uninterrupted = new Manual(network, MU, X);
        uninterrupted.train(3, 100, 2, -1);
        Manual stopped = new Manual(network, MU, X);
        stopped.train(3, 100, 2, 4);
        double cost = 2 * stopped.epochMeanCosts.get(1);                       // summed over the 2 samples done
        AtomicReference<Trainer> first = new AtomicReference<>();
        first.set(Trainer.builder(network).optimizer(new Momentum(MU, false)).listener(new TrainingListener() {
            int updates;

            @Override
            public void batchDone(int epoch, int samplesDone, int samples, double batchCost) {
                if (++updates == 4) {
                    first.get().requestStop();
                }
            }
        }).build());
        first.get().fit(new ArrayDataSet());
        stopped.assertMatches(network);
        TrainingState state = first.get().state();
        assertPosition(1, 1, 2, cost, state);
        stopped.assertVelocities(state.optimizerState());

        Trainer resumed = Trainer.builder(network).optimizer(new Momentum(MU, false)).resume(state).build();
        assertPosition(1, 1, 2, cost, resumed.state());
        stopped.assertVelocities(resumed.state().optimizerState());
        List<EpochResult> results = resumed.fit(new ArrayDataSet());
        assertEquals(2, results.size(), "the rest of epoch 2, then epoch 3");
        uninterrupted.assertMatches(network);
        uninterrupted.assertVelocities(resumed.state().optimizerState());
        assertPosition(3, 0, 0, 0, resumed.state());
    }

    /**
     * Mini-batches that come in float32 (the first of every epoch) and in float64 to a float64 network, each split
     * between 2 threads: every part trains on the values of its own mini-batch, the float64 ones exactly as given and
     * the float32 ones as rounded to float32.
     */
    @Test
    void splitMiniBatchesOfChangingDataTypesTrainOnTheirOwnValues() {
        Network network = network(new Hyperparams(2, 100, 2));
        double[][] x = new double[X.length][];
        for (int s = 0; s < X.length; s++) {
            x[s] = X[s].clone();
        }
        for (int s = 0; s < 2; s++) {                                          // the float32 mini-batch
            for (int j = 0; j < x[s].length; j++) {
                x[s][j] = (float) X[s][j];
            }
        }
        Manual manual = new Manual(network, 0, x);
        Trainer.builder(network).parallel(2).build().fit(new ArrayDataSet(true));
        manual.train(2, 100, 2, -1);
        manual.assertMatches(network);
    }

    private static void assertPosition(int epoch, int batch, int samples, double cost, TrainingState state) {
        assertEquals(epoch, state.epoch(), "epoch");
        assertEquals(batch, state.batch(), "mini-batch");
        assertEquals(samples, state.samples(), "samples");
        assertEquals(cost, state.cost(), TOL, "cost");
    }

    private static void assign(Network network, List<INDArray> values) {
        int i = 0;
        for (var layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                p.value().assign(values.get(i++));
            }
        }
    }
}
