package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import io.richard.api.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's side of training on Spark, without Spark: the config's {@code spark} section, data locations
 * that are URIs, and {@code --spark} when the richard-spark module is not on the class path (as in this module's
 * tests): one line saying how to get it, exit status 2, nothing written.
 */
class SparkOptionsTest {

    @TempDir
    Path dir;

    private static TrainingConfig parse(String text) {
        return ConfigReader.parse(text, "cfg.yaml", Path.of("/base"));
    }

    @Test
    void theSparkSectionIsReadWithDefaultsForWhatItLeavesOut() {
        assertEquals(SparkOptions.defaults(), parse(ConfigReaderTest.YAML).spark());
        TrainingConfig config = parse(ConfigReaderTest.YAML + """
                spark:
                  averageEvery: 8
                  partitions: 4
                  cache: serialized
                  conf:
                    spark.executor.memory: 4g
                    spark.executor.instances: 8
                    spark.dynamicAllocation.enabled: false
                """);
        assertEquals(new SparkOptions(8, OptionalInt.of(4), "serialized", Map.of("spark.executor.memory", "4g",
                "spark.executor.instances", "8", "spark.dynamicAllocation.enabled", "false")), config.spark());
        assertEquals(new SparkOptions(SparkOptions.DEFAULT_AVERAGE_EVERY, OptionalInt.empty(), "memory", Map.of()),
                parse(ConfigReaderTest.YAML + "spark: {}\n").spark());
    }

    @Test
    void badSparkKeysAreOneLocatedLineEach() {
        assertEquals("cfg.yaml:28:17: spark.averageEvery: spark.averageEvery must be a positive integer, got 0",
                error("spark:\n  averageEvery: 0\n"));
        assertTrue(error("spark:\n  partitions: two\n").startsWith("cfg.yaml:28:15: spark.partitions: expected a"
                + " positive integer, got the string \"two\""), error("spark:\n  partitions: two\n"));
        assertTrue(error("spark:\n  cache: disk\n").contains("spark.cache 'disk' is not valid; expected memory,"
                + " serialized or none"), error("spark:\n  cache: disk\n"));
        assertTrue(error("spark:\n  averageEvry: 3\n").contains("unknown key 'averageEvry'; did you mean"
                + " 'averageEvery'?"), error("spark:\n  averageEvry: 3\n"));
        assertTrue(error("spark:\n  conf:\n    executor.memory: 4g\n").contains("'executor.memory' is not a Spark"
                + " setting; their names start with 'spark.'"), error("spark:\n  conf:\n    executor.memory: 4g\n"));
        assertTrue(error("spark:\n  conf:\n    spark.jars: [a, b]\n").contains("spark.jars must be a string, number"
                + " or boolean, got a list or mapping"), error("spark:\n  conf:\n    spark.jars: [a, b]\n"));
    }

    private static String error(String spark) {
        return assertThrows(ConfigException.class, () -> parse(ConfigReaderTest.YAML + spark)).getMessage();
    }

    @Test
    void dataLocationsWithASchemeAreKeptAsWrittenForSpark() {
        TrainingConfig config = parse(ConfigReaderTest.YAML + """
                training:
                  data: hdfs://namenode:8020/data/mnist
                  test: relative/test.csv
                """);
        assertEquals(Optional.empty(), config.training().data());
        assertEquals(Optional.of("hdfs://namenode:8020/data/mnist"), config.training().dataUri());
        assertEquals(Optional.of(Path.of("/base/relative/test.csv")), config.training().test());
        assertEquals(Optional.empty(), config.training().testUri());
        assertTrue(TrainingOptions.isUri("file:///data/x.csv"));
        assertTrue(TrainingOptions.isUri("s3a://bucket/x"));
        assertFalse(TrainingOptions.isUri("data/x.csv"));
        assertFalse(TrainingOptions.isUri("/data/x:y.csv"));
    }

    @Test
    void sparkWithoutTheModuleSaysHowToGetIt() throws Exception {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        Fixtures.Result result = Fixtures.run(args("train", config, "--spark", "local[2]", "-o", model));
        assertEquals(2, result.status(), result.toString());
        assertEquals("richard: error: --spark needs the richard-spark module, which is not on the class path: run"
                + " ./richard (it builds the module on first use with mvn -B -DskipTests -pl richard-spark -am package"
                + " and adds it), or submit richard-spark/target/richard-spark-submit.jar with spark-submit (README,"
                + " Training on Apache Spark)\n", result.err());
        assertFalse(Files.exists(model));
    }

    @Test
    void sparkOnlyOptionsAndUrisNeedSpark() throws Exception {
        Path config = Fixtures.csvProject(dir);
        Fixtures.Result every = Fixtures.run(args("train", config, "--average-every", "4"));
        assertEquals(2, every.status(), every.toString());
        assertEquals("richard: error: --average-every is for training on Spark: give --spark MASTER too\n", every.err());
        Fixtures.Result uri = Fixtures.run(args("train", config, "--data", "hdfs://nn:8020/train.csv"));
        assertEquals(2, uri.status(), uri.toString());
        assertEquals("richard: error: --data hdfs://nn:8020/train.csv is a URI, which only Spark reads: give --spark"
                + " MASTER, or a local path\n", uri.err());
        Fixtures.Result report = Fixtures.run(args("train", config, "--spark", "local[2]", "--report",
                dir.resolve("r.html")));
        assertEquals(2, report.status(), report.toString());
        assertTrue(report.err().startsWith("richard: error: --report does not work with --spark"), report.err());
        assertFalse(Files.exists(dir.resolve("m.richard")) || Files.exists(dir.resolve("config.richard")));
    }
}
