package io.richard.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.ConfigException;
import io.richard.api.RichardException;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.ModelSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingListener;
import io.richard.cli.ClusterTraining;
import io.richard.cli.SparkOptions;
import io.richard.nd4j.Evaluation;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.train.TrainingState;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.ExternalClusterManager;

/**
 * {@code richard train CONFIG --spark MASTER}: the command line's {@link ClusterTraining} on Apache Spark, found
 * through {@code META-INF/services}. One Spark application per run: it starts with {@link #connect} and stops
 * with {@link Session#close}.
 */
public final class SparkClusterTraining implements ClusterTraining {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkClusterTraining.class);

    @Override
    public Session connect(String master, SparkOptions options, String appName, Consumer<String> info) {
        quietLogging();
        SparkConf conf = new SparkConf();                     // with spark-submit's settings (system properties)
        if (master.isEmpty() && !conf.contains("spark.master")) {
            throw new ConfigException("no Spark master: give --spark MASTER (local[N], spark://HOST:PORT, yarn, …)");
        }
        String resolved = master.isEmpty() ? conf.get("spark.master") : master;
        requireKnown(resolved);                               // before Spark logs anything about this master
        requireReachable(resolved);
        conf.setMaster(resolved);
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(appName);
        }
        options.conf().forEach((key, value) -> {
            if (!conf.contains(key)) {                            // spark-submit's --conf wins over the config's
                conf.set(key, value);
            }
        });
        boolean local = resolved.startsWith("local");
        setIfAbsent(conf, "spark.executorEnv.OMP_NUM_THREADS", "1");
        setIfAbsent(conf, "spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        // a partition's parameters (a MB or more) come back with its task, not through a second fetch
        setIfAbsent(conf, "spark.task.maxDirectResultSize", "64m");
        if (local) {
            setIfAbsent(conf, "spark.ui.enabled", "false");
            setIfAbsent(conf, "spark.driver.host", "127.0.0.1");
            setIfAbsent(conf, "spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) {                              // SparkException is checked, undeclared (Scala)
            throw new ConfigException("--spark " + resolved + ": Spark cannot start: " + firstLine(e));
        }
        SparkDataSet.Cache cache = SparkDataSet.Cache.parse(options.cache());
        int partitions = options.partitions().orElse(Math.max(1, sc.defaultParallelism()));
        return new SparkSession(sc, options.averageEvery(), partitions, cache);
    }

    // Spark's own forms of a master URL (SparkContext.createTaskScheduler and SparkMasterRegex)
    private static final Pattern LOCAL_N = Pattern.compile("local\\[([0-9]+|\\*)\\]");
    private static final Pattern LOCAL_N_FAILURES = Pattern.compile("local\\[([0-9]+|\\*)\\s*,\\s*([0-9]+)\\]");
    private static final Pattern LOCAL_CLUSTER =
            Pattern.compile("local-cluster\\[\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*]");

    /**
     * A master URL Spark can start with: local, local[N], local[N,F], local-cluster[N,C,M], spark://…, or one a
     * cluster manager on the class path accepts (yarn, k8s://… with Spark's spark-yarn or spark-kubernetes, which
     * spark-submit on a cluster provides). Checked here so that a wrong one is one line, not Spark's stack trace.
     */
    static void requireKnown(String master) {
        if (master.equals("local") || master.startsWith("spark://") || LOCAL_CLUSTER.matcher(master).matches()) {
            return;
        }
        Matcher local = LOCAL_N.matcher(master);
        Matcher failures = LOCAL_N_FAILURES.matcher(master);
        if (local.matches() || failures.matches()) {
            String threads = local.matches() ? local.group(1) : failures.group(1);
            if (threads.equals("0")) {
                throw new ConfigException("--spark " + master + ": local mode needs at least 1 thread, e.g. local[2]");
            }
            return;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : SparkConf.class.getClassLoader();
        for (ExternalClusterManager manager : ServiceLoader.load(ExternalClusterManager.class, loader)) {
            if (manager.canCreate(master)) {
                return;
            }
        }
        if (master.equals("yarn") || master.startsWith("k8s://")) {
            String manager = master.equals("yarn") ? "YARN" : "Kubernetes";
            throw new ConfigException("--spark " + master + ": Spark's " + manager
                    + " support is not on this class path; submit richard-spark/target/richard-spark-submit.jar with"
                    + " the cluster's spark-submit --master " + master + " (docs/spark.md, spark-submit)");
        }
        throw new ConfigException("--spark " + master + ": not a Spark master URL; expected local[N], local[N,F],"
                + " spark://HOST:PORT, yarn or k8s://HOST:PORT");
    }

    /** A master of a standalone cluster must answer on its port (Spark itself would retry for a minute). */
    private static void requireReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("--spark " + master + ": " + hostPort + " is not HOST:PORT");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 5000);
                return;                                        // one master answering is enough
            } catch (IOException e) {
                failures.add(hostPort + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage()) + ")");
            }
        }
        throw new ConfigException("--spark " + master + ": cannot reach the Spark master: " + String.join(", ",
                failures) + "; is the master running, and is the address the one its log shows?");
    }

    private static void setIfAbsent(SparkConf conf, String key, String value) {
        if (!conf.contains(key)) {
            conf.set(key, value);
        }
    }

    /**
     * Spark, Hadoop and netty log at INFO through SLF4J, as richard does: only their warnings are shown (unless
     * --verbose, or a level set with -Dorg.slf4j.simpleLogger.log.NAME=…).
     */
    private static void quietLogging() {
        if ("debug".equals(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))) {
            return;
        }
        for (String name : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop", "io.netty",
                "org.apache.hadoop.util.NativeCodeLoader")) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, name.endsWith("NativeCodeLoader") ? "error" : "warn");
            }
        }
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }

    /** The problem a failed Spark job carries, if it is one of richard's (one line, exit status 2). */
    static RuntimeException unwrap(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RichardException richard) {
                return richard;
            }
        }
        return e;
    }

    /** A run's Spark application. */
    private static final class SparkSession implements Session {
        private final JavaSparkContext sc;
        private final int averageEvery;
        private final int partitions;
        private final SparkDataSet.Cache cache;
        private final List<SparkDataSet> read = new ArrayList<>();
        private SparkTrainer trainer;

        SparkSession(JavaSparkContext sc, int averageEvery, int partitions, SparkDataSet.Cache cache) {
            this.sc = sc;
            this.averageEvery = averageEvery;
            this.partitions = partitions;
            this.cache = cache;
        }

        @Override
        public String describe() {
            return "Spark " + sc.version() + ", master " + sc.master() + ", " + partitions + " partition"
                    + (partitions == 1 ? "" : "s") + ", parameters averaged every " + averageEvery + " mini-batch"
                    + (averageEvery == 1 ? "" : "es") + ", cache " + cache.toString().toLowerCase(Locale.ROOT);
        }

        @Override
        public Data read(String location, ModelSpec model, boolean test, int limit) {
            try {
                SparkDataSet set = SparkDataSet.read(sc, location, model.data(), test ? SparkDataSet.Role.TEST
                        : SparkDataSet.Role.TRAIN, partitions, limit, cache);
                read.add(set);
                return new SparkData(set);
            } catch (RuntimeException e) {
                throw unwrap(e);
            }
        }

        @Override
        public Evaluation evaluate(Network network, Data data) {
            try {
                SparkTrainer evaluator = trainer != null && trainer.network() == network ? trainer
                        : SparkTrainer.builder(network, sc).partitions(partitions).cache(cache).build();
                return evaluator.evaluate(((SparkData) data).set());
            } catch (RuntimeException e) {
                throw unwrap(e);
            }
        }

        @Override
        public Fit fit(Network network, Hyperparams hyperparams, OptionalLong shuffleSeed, int threads,
                       TrainingState resume, List<TrainingListener> listeners, CheckpointInterval interval,
                       Trainer.CheckpointSink sink) {
            SparkTrainer.Builder builder = SparkTrainer.builder(network, sc).hyperparams(hyperparams)
                    .averageEvery(averageEvery).partitions(partitions).cache(cache).threadsPerTask(threads);
            shuffleSeed.ifPresent(builder::shuffle);
            if (resume != null) {
                builder.resume(resume);
            }
            listeners.forEach(builder::listener);
            builder.listener(new SparkTrainingListener() {
                @Override
                public void roundFinished(RoundResult r) {
                    if (LOG.isDebugEnabled()) {
                        LOG.debug(String.format(Locale.ROOT, "epoch %d round %d/%d: %d mini-batch%s on %d partition%s,"
                                + " %d samples, cost %.6f, %.3f s (training %.3f s), %.1f MB of parameters moved",
                                r.epoch() + 1, r.round() + 1, r.rounds(), r.batches(), r.batches() == 1 ? "" : "es",
                                r.partitions(), r.partitions() == 1 ? "" : "s", r.samples(), r.meanCost(), r.seconds(),
                                r.training(), r.bytes() / 1e6));
                    }
                }
            });
            if (interval != null) {
                builder.checkpoint(interval, sink);
            }
            SparkTrainer built = builder.build();
            trainer = built;
            return new Fit() {
                @Override
                public List<EpochResult> fit(Data data) {
                    try {
                        return built.fit(((SparkData) data).set());
                    } catch (RuntimeException e) {
                        throw unwrap(e);
                    }
                }

                @Override
                public void requestStop() {
                    built.requestStop();
                }

                @Override
                public TrainingState state() {
                    return built.state();
                }
            };
        }

        @Override
        public void close() {
            try {
                for (SparkDataSet set : read) {
                    try {
                        set.close();
                    } catch (RuntimeException e) {
                        // the application stops anyway
                    }
                }
            } finally {
                sc.stop();
            }
        }
    }

    /** Samples read by Spark. */
    private record SparkData(SparkDataSet set) implements Data {
        @Override
        public int size() {
            return set.size();
        }

        @Override
        public int partitions() {
            return set.partitions();
        }

        @Override
        public String format() {
            return set.format();
        }

        @Override
        public double seconds() {
            return set.seconds();
        }
    }
}
