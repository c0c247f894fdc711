package io.richard.nd4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;
import io.richard.api.Shape;
import io.richard.api.data.Batch;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A labelled data set held in memory: one feature matrix (N, W·H·D) of already normalised inputs, in the
 * reference's order (x fastest, then y, then channel), and the class index of every sample.
 *
 * <p>Mini-batches are gathered from the matrix with one row gather per batch; the one-hot targets are built
 * from the class indices. Targets take the data type of the features, so a copy made with
 * {@link #castTo(DataType)} streams float64 batches for gradient checks.
 *
 * <p>The data set never modifies its matrix, and every batch is a copy, so a consumer may change a batch
 * freely. The constructor takes the matrix over without copying it: the caller must not modify it afterwards.
 */
public final class InMemoryDataSet implements LabelledDataSet {

    private final INDArray features;
    private final int[] labels;
    private final List<String> classes;
    private final Shape shape;

    /**
     * @param features the inputs, a floating-point matrix (N, W·H·D) with N ≥ 1; taken over without a copy
     * @param labels   the class index of each of the N samples, each in {@code [0, classes.size())}; copied
     * @param classes  the class labels in output-neuron order
     * @param shape    the shape {@code [W, H, D]} of one sample
     * @throws IllegalArgumentException if the sizes disagree or a class index is out of range
     */
    public InMemoryDataSet(INDArray features, int[] labels, List<String> classes, Shape shape) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        this.classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
        this.shape = Objects.requireNonNull(shape, "shape");
        if (this.classes.isEmpty()) {
            throw new IllegalArgumentException("a data set needs at least one class");
        }
        if (!features.dataType().isFPType()) {
            throw new IllegalArgumentException("features must be floating point, got " + features.dataType());
        }
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features must be a matrix (N, W·H·D), got shape "
                    + Arrays.toString(features.shape()));
        }
        if (features.rows() != labels.length) {
            throw new IllegalArgumentException("features have " + features.rows() + " rows but there are "
                    + labels.length + " labels; every sample needs exactly one label");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("a data set needs at least one sample");
        }
        if (features.columns() != shape.size()) {
            throw new IllegalArgumentException("features have " + features.columns() + " columns but shape "
                    + shape + " has " + shape.size() + " values per sample");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classes.size()) {
                throw new IllegalArgumentException("label of sample " + i + " is class index " + labels[i]
                        + ", outside [0, " + this.classes.size() + ") for classes " + this.classes);
            }
        }
        this.features = features;
        this.labels = labels.clone();
    }

    /**
     * A float32 data set from literal samples, one row of W·H·D values per sample; handy in tests and
     * examples.
     */
    public static InMemoryDataSet of(List<String> classes, Shape shape, float[][] samples, int... labels) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("a data set needs at least one sample");
        }
        for (int i = 0; i < samples.length; i++) {
            if (samples[i].length != shape.size()) {
                throw new IllegalArgumentException("sample " + i + " has " + samples[i].length
                        + " values but shape " + shape + " has " + shape.size());
            }
        }
        return new InMemoryDataSet(Nd4j.createFromArray(samples), labels, classes, shape);
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** The data type of the inputs and targets this data set streams. */
    public DataType dataType() {
        return features.dataType();
    }

    /** A copy of the feature matrix (N, W·H·D). */
    public INDArray features() {
        return features.dup('c');
    }

    /** A copy of the class indices, one per sample. */
    public int[] labels() {
        return labels.clone();
    }

    /** The class index of sample {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /**
     * The {@code count} samples starting at sample {@code from}, in data order. The subset shares the feature
     * matrix with this data set (neither ever modifies it).
     */
    public InMemoryDataSet subset(int from, int count) {
        if (from < 0 || count <= 0 || from > size() - count) {
            throw new IllegalArgumentException("subset of " + count + " samples from sample " + from
                    + " does not fit in a data set of " + size() + " samples");
        }
        INDArray rows = features.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all());
        return new InMemoryDataSet(rows, Arrays.copyOfRange(labels, from, from + count), classes, shape);
    }

    /** A copy of this data set whose features, and so whose batches, have the given floating-point type. */
    public InMemoryDataSet castTo(DataType dataType) {
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("a data set holds floating-point values, not " + dataType);
        }
        INDArray copy = features.dataType() == dataType ? features.dup('c') : features.castTo(dataType);
        return new InMemoryDataSet(copy, labels, classes, shape);
    }

    @Override
    public BatchStream batches(int batchSize, int limit, SampleOrder order) {
        return new Stream(visitingOrder(batchSize, limit, order), batchSize, false);
    }

    /**
     * Batches whose x and y arrays are reused from one {@code next()} to the next: the rows are gathered into the
     * same two arrays every time, so a training loop allocates nothing per mini-batch. Runs of at least 256
     * consecutive samples are not copied at all: x is then a view of this data set's rows, so it must only be read.
     */
    @Override
    public BatchStream transientBatches(int batchSize, int limit, SampleOrder order) {
        return new Stream(visitingOrder(batchSize, limit, order), batchSize, true);
    }

    private int[] visitingOrder(int batchSize, int limit, SampleOrder order) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("sample limit must not be negative, got " + limit);
        }
        Objects.requireNonNull(order, "order");
        int[] visit = order.isShuffled() ? permutation(size(), order.shuffleSeed().getAsLong()) : identity(size());
        return Arrays.copyOf(visit, Math.min(limit, size()));
    }

    @Override
    public String toString() {
        return "InMemoryDataSet[" + size() + " samples of shape " + shape + ", " + classes.size() + " classes, "
                + dataType() + "]";
    }

    /**
     * A permutation of {@code 0..n-1} drawn from the seed by a Fisher–Yates shuffle with {@link Random}, whose
     * sequence the Java specification fixes: the same seed visits the samples in the same order everywhere.
     */
    static int[] permutation(int n, long seed) {
        int[] order = identity(n);
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }

    /**
     * Transient batches of at least this many consecutive samples (evaluation in data order) are views of the data
     * set's rows instead of copies: making a view costs about as much as copying 250 rows of 784 floats, and the
     * copies of an evaluation of 10,000 MNIST images (plus the first-touch of their 3 MB array) were about 15 % of
     * its time.
     */
    private static final int VIEW_ROWS = 256;

    private static boolean consecutive(int[] indices) {
        for (int i = 1; i < indices.length; i++) {
            if (indices[i] != indices[0] + i) {
                return false;
            }
        }
        return true;
    }

    /** Mini-batches over a fixed list of sample indices, gathered lazily one batch at a time. */
    private final class Stream implements BatchStream {
        private final int[] visit;
        private final int batchSize;
        private final boolean reuse;
        private final INDArray identity;
        private int next;
        private INDArray x;
        private INDArray y;

        Stream(int[] visit, int batchSize, boolean reuse) {
            this.visit = visit;
            this.batchSize = batchSize;
            this.reuse = reuse;
            this.identity = Nd4j.eye(classes.size()).castTo(features.dataType());
        }

        @Override
        public boolean hasNext() {
            return next < visit.length;
        }

        /** Moves past up to {@code count} mini-batches without gathering their samples. */
        @Override
        public int skip(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("cannot skip " + count + " mini-batches");
            }
            int end = (int) Math.min(visit.length, next + (long) count * batchSize);
            int skipped = end - next;
            next = end;
            return skipped;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("all " + visit.length + " samples have been streamed");
            }
            int end = Math.min(next + batchSize, visit.length);
            int[] indices = Arrays.copyOfRange(visit, next, end);
            next = end;
            int[] batchLabels = new int[indices.length];
            for (int n = 0; n < indices.length; n++) {
                batchLabels[n] = labels[indices[n]];
            }
            if (!reuse || y == null || y.rows() != indices.length) {
                y = Nd4j.create(features.dataType(), indices.length, classes.size());
            }
            Nd4j.pullRows(identity, y, 1, batchLabels);                   // one-hot targets: rows of the identity
            if (reuse && indices.length >= VIEW_ROWS && consecutive(indices)) {
                // the samples' rows are the data set's own, read in place (transient batches are read only)
                return new Batch(features.get(NDArrayIndex.interval(indices[0], indices[0] + indices.length),
                        NDArrayIndex.all()), y, batchLabels);
            }
            if (!reuse || x == null || x.rows() != indices.length) {
                x = Nd4j.create(features.dataType(), indices.length, features.columns());
            }
            Nd4j.pullRows(features, x, 1, indices);                      // the samples' rows
            return new Batch(x, y, batchLabels);
        }
    }
}
