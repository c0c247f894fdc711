package io.richard.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The config's optional {@code spark:} section: how {@code richard train CONFIG --spark MASTER} trains on Apache
 * Spark (the richard-spark module). Ignored without {@code --spark}; every key has a default.
 *
 * @param averageEvery {@code spark.averageEvery}: mini-batches each partition trains between two averages of the
 *                     parameters (a round); default {@link #DEFAULT_AVERAGE_EVERY}
 * @param partitions   {@code spark.partitions}: partitions the data is split into, one task each per round;
 *                     default Spark's default parallelism (the cores of the executors)
 * @param cache        {@code spark.cache}: how the samples stay between rounds: {@code memory} (ND4J arrays on the
 *                     executors), {@code serialized} (Spark's serialised cache) or {@code none} (read every round);
 *                     default {@code memory}
 * @param conf         {@code spark.conf}: Spark settings for the application, e.g. {@code spark.executor.memory:
 *                     4g}, {@code spark.executor.memoryOverhead: 2g}, {@code spark.executor.instances: 8}; they
 *                     apply to a master given with {@code --spark} (spark-submit's {@code --conf} wins over them)
 */
public record SparkOptions(int averageEvery, OptionalInt partitions, String cache, Map<String, String> conf) {

    /** Mini-batches per partition between two averages when the config does not say. */
    public static final int DEFAULT_AVERAGE_EVERY = 16;

    public SparkOptions {
        conf = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(conf));
    }

    public static SparkOptions defaults() {
        return new SparkOptions(DEFAULT_AVERAGE_EVERY, OptionalInt.empty(), "memory", Map.of());
    }
}
