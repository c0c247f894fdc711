package io.richard.cli;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.train.TrainingState;

/**
 * Training on a cluster, what {@code richard train CONFIG --spark MASTER} runs: the command line reads the config,
 * checks the outputs, shows progress, writes metrics, checkpoints and the model as for a single machine, and hands
 * reading the data, training and evaluating to an implementation of this interface. The richard-spark module
 * provides one ({@code META-INF/services/io.richard.cli.ClusterTraining}); the command line finds it at run time
 * with {@link ServiceLoader} and depends on no cluster library itself.
 */
public interface ClusterTraining {

    /** The implementation on the class path, if any. */
    static Optional<ClusterTraining> find() {
        return ServiceLoader.load(ClusterTraining.class, ClusterTraining.class.getClassLoader()).findFirst();
    }

    /**
     * Connects to the cluster.
     *
     * @param master   where to run, as given to {@code --spark} ({@code local[2]}, {@code spark://host:7077},
     *                 {@code yarn}, …), or {@code ""} for the master spark-submit set
     * @param options  the config's {@code spark} section
     * @param appName  the application's name on the cluster
     * @param info     receives lines worth showing (on standard error)
     * @throws io.richard.api.RichardException one line (exit status 2) for a master that cannot be reached or
     *                                          settings Spark rejects
     */
    Session connect(String master, SparkOptions options, String appName, Consumer<String> info);

    /** A connection to a cluster, for one training run. */
    interface Session extends AutoCloseable {

        /** One line for the run's header, e.g. "Spark 4.0.4, local[2], 2 partitions, parameters averaged every 16 mini-batches". */
        String describe();

        /**
         * Reads labelled samples on the cluster, never on this machine.
         *
         * @param location a path or URI the cluster reads ({@code hdfs://…}, {@code file:///…}, a path on the
         *                 cluster's default file system)
         * @param test     true for a test set (an MNIST folder gives its t10k files)
         * @param limit    at most this many samples, the first ones
         * @throws io.richard.api.DataException one line naming the location, file and line of the problem
         */
        Data read(String location, ModelSpec model, boolean test, int limit);

        /** Evaluates the network on a data set read by {@link #read}, on the cluster. */
        Evaluation evaluate(Network network, Data data);

        /**
         * A training run of {@code network} (whose parameters then follow the run) on data read by {@link #read}.
         *
         * @param threads  BLAS threads per task
         * @param resume   the state to continue from, or null
         * @param interval how often to hand the state to {@code sink}, or null for never
         */
        Fit fit(Network network, Hyperparams hyperparams, OptionalLong shuffleSeed, int threads, TrainingState resume,
                List<TrainingListener> listeners, CheckpointInterval interval, Trainer.CheckpointSink sink);

        /** Frees the cluster's resources (the data's caches, the application). */
        @Override
        void close();
    }

    /** Samples held by the cluster. */
    interface Data {
        int size();

        int partitions();

        /** What was read, e.g. "MNIST folder, train-images-idx3-ubyte.gz". */
        String format();

        double seconds();
    }

    /** A training run on the cluster, as a {@link Trainer} on one machine. */
    interface Fit {
        List<EpochResult> fit(Data data);

        /** Stops after the current round; from any thread. */
        void requestStop();

        TrainingState state();
    }
}
