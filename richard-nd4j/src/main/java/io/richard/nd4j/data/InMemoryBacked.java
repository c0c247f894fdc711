package io.richard.nd4j.data;

import java.util.List;
import io.richard.api.Shape;
import io.richard.api.data.BatchStream;
import io.richard.api.data.LabelledDataSet;
import io.richard.api.data.SampleOrder;

/** A data set read from files into an {@link InMemoryDataSet}, which serves every batch. */
abstract class InMemoryBacked implements LabelledDataSet {

    /** The samples, held in memory. */
    public abstract InMemoryDataSet inMemory();

    @Override
    public List<String> classes() {
        return inMemory().classes();
    }

    @Override
    public Shape shape() {
        return inMemory().shape();
    }

    @Override
    public int size() {
        return inMemory().size();
    }

    @Override
    public BatchStream batches(int batchSize, int limit, SampleOrder order) {
        return inMemory().batches(batchSize, limit, order);
    }

    @Override
    public BatchStream transientBatches(int batchSize, int limit, SampleOrder order) {
        return inMemory().transientBatches(batchSize, limit, order);
    }
}
