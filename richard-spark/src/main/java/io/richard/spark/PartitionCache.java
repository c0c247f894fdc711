package io.richard.spark;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import io.richard.nd4j.Network;
import io.richard.nd4j.data.InMemoryDataSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an executor keeps between the rounds of a run, in its JVM: the partitions' samples as ND4J arrays (with the
 * {@link SparkDataSet.Cache#MEMORY} cache) and the networks its tasks train, keyed by the data set's or the run's
 * id and the partition. Only a shortcut: a task that finds nothing here (another executor, a new JVM) builds
 * the same thing from its partition's blocks and the round's broadcast parameters, so results never depend on
 * what is kept where. Keys start with the data set's id: {@link SparkDataSet#close} drops everything of a data
 * set, the end of {@link SparkTrainer#fit} the networks of its run.
 */
final class PartitionCache {

    private static final Map<String, InMemoryDataSet> DATA = new HashMap<>();
    private static final Map<String, Network> NETWORKS = new HashMap<>();

    private PartitionCache() {
    }

    static synchronized void putData(String id, int partition, InMemoryDataSet data) {
        DATA.put(id + "/data/" + partition, data);
    }

    /**
     * The first {@code keep} samples of a partition: the executor's copy, or one built from {@code blocks} (and
     * kept, with the MEMORY cache); null when the partition holds none.
     */
    static InMemoryDataSet data(String id, int partition, int keep, SparkDataSet.Cache cache,
                                Iterator<SampleBlock> blocks, DataLayout layout) {
        if (keep == 0) {
            return null;
        }
        InMemoryDataSet data;
        synchronized (PartitionCache.class) {
            data = DATA.get(id + "/data/" + partition);
        }
        if (data == null) {
            List<SampleBlock> all = new ArrayList<>();
            while (blocks.hasNext()) {
                SampleBlock block = blocks.next();
                if (block.error() != null) {
                    throw new io.richard.api.DataException(block.error());   // the files changed since they were read
                }
                all.add(block);
            }
            data = dataSet(all, layout);
            if (data == null) {
                throw new IllegalStateException("partition " + partition + " of " + id + " is empty now; it held "
                        + keep + " samples when it was read");
            }
            if (cache == SparkDataSet.Cache.MEMORY) {
                putData(id, partition, data);
            }
        }
        return keep < data.size() ? data.subset(0, keep) : data;
    }

    /** The blocks' samples as one float32 matrix (off the Java heap) with their labels, or null if there are none. */
    static InMemoryDataSet dataSet(List<SampleBlock> blocks, DataLayout layout) {
        int rows = 0;
        for (SampleBlock block : blocks) {
            rows += block.size();
        }
        if (rows == 0) {
            return null;
        }
        int n = layout.values();
        INDArray features = Nd4j.create(DataType.FLOAT, rows, n);
        FloatBuffer buffer = features.data().asNioFloat();
        int[] labels = new int[rows];
        int row = 0;
        for (SampleBlock block : blocks) {
            buffer.put(block.values());
            System.arraycopy(block.labels(), 0, labels, row, block.size());
            row += block.size();
        }
        return new InMemoryDataSet(features, labels, layout.classes(), layout.shape());
    }

    /** The network kept under {@code key}, or a new one from {@code build} (then kept). */
    static Network network(String key, Supplier<Network> build) {
        synchronized (PartitionCache.class) {
            Network network = NETWORKS.get(key);
            if (network != null) {
                return network;
            }
        }
        Network network = build.get();
        synchronized (PartitionCache.class) {
            return NETWORKS.merge(key, network, (kept, built) -> kept);
        }
    }

    /** Drops everything kept under a key starting with {@code prefix} (a data set's id and "/", …). */
    static synchronized void evict(String prefix) {
        DATA.keySet().removeIf(key -> key.startsWith(prefix));
        NETWORKS.keySet().removeIf(key -> key.startsWith(prefix));
    }

    /** Entries kept, for tests. */
    static synchronized int size() {
        return DATA.size() + NETWORKS.size();
    }
}
