package io.richard.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tests' Spark: one context per JVM (Spark allows no more), restarted when a test needs another master
 * (about 0.1 s once the classes are loaded). Everything stays on 127.0.0.1, without the web UI.
 */
final class LocalSpark {

    private static JavaSparkContext context;
    private static String master;

    private LocalSpark() {
    }

    static synchronized JavaSparkContext context(String wanted) {
        if (context != null && wanted.equals(master) && !context.sc().isStopped()) {
            return context;
        }
        stop();
        Nd4j.factory().blas().setMaxThreads(1);                  // one thread, as every task: results bit for bit
        SparkConf conf = new SparkConf().setMaster(wanted).setAppName("richard-spark tests")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")           // executor JVMs (local-cluster)
                .set("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        context = new JavaSparkContext(conf);
        master = wanted;
        return context;
    }

    /** Stops the context, e.g. before a test runs the command line (which starts its own). */
    static synchronized void stop() {
        if (context != null) {
            context.stop();
            context = null;
            master = null;
        }
    }
}
