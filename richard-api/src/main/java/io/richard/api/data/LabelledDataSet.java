package io.richard.api.data;

import java.util.List;
import io.richard.api.Shape;

/**
 * A labelled data set that streams mini-batches. Implementations read from files in chunks or hold the samples
 * in memory; either way a consumer sees the same sequence of {@link Batch}es.
 */
public interface LabelledDataSet {

    /** The class labels, in output-neuron order. */
    List<String> classes();

    /** The shape of one sample, {@code [W, H, D]}. */
    Shape shape();

    /** Number of samples. */
    int size();

    /**
     * Streams the first {@code limit} samples (all of them when {@code limit >= size()}) in mini-batches of
     * {@code batchSize}; the last batch may be smaller.
     *
     * @param order the order to visit the samples in: {@link SampleOrder#sequential()} for data order, or a
     *              seeded shuffle
     */
    BatchStream batches(int batchSize, int limit, SampleOrder order);

    /**
     * Like {@link #batches(int, int, SampleOrder)}, but the stream may reuse its arrays, or hand out views of the
     * data set's own: each batch is valid only until {@code next()} is called again, and is only to be read. For
     * loops that consume every batch at once, such as training and evaluation, where it saves allocating and
     * copying. The default streams ordinary batches.
     */
    default BatchStream transientBatches(int batchSize, int limit, SampleOrder order) {
        return batches(batchSize, limit, order);
    }

    /** Streams every sample in data order. */
    default BatchStream batches(int batchSize) {
        return batches(batchSize, size(), SampleOrder.sequential());
    }
}
