package io.richard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import io.richard.api.ConfigException;
import io.richard.api.Quote;
import io.richard.api.spec.Hyperparams;
import io.richard.api.spec.LayerDifference;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OptimizerSpec;
import io.richard.api.train.EpochResult;
import io.richard.api.train.TrainingDivergedException;
import io.richard.nd4j.train.CheckpointInterval;
import io.richard.nd4j.train.EarlyStopping;
import io.richard.nd4j.MemoryEstimate;
import io.richard.nd4j.train.TrainingState;
import io.richard.nd4j.io.Checkpoint;
import io.richard.nd4j.Network;
import io.richard.nd4j.train.Trainer;
import io.richard.nd4j.io.ModelArchive;
import io.richard.nd4j.io.OutputFiles;
import io.richard.nd4j.io.ReferenceNetworkFile;
import io.richard.nd4j.io.SavedModel;
import io.richard.nd4j.optimize.Optimizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code richard train CONFIG}: trains a classifier and saves it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Trains the network of a config and saves it as a model archive.",
            "",
            "CONFIG is YAML or JSON with the C++ Richard's keys (data, dataLoader, classifier.network) and "
                + "optionally richard's training section (data, test, seed, shuffle, resize, limit, testLimit, "
                + "earlyStopping) and spark section.",
            "",
            "Data (--data, or training.data in CONFIG): a CSV file (LABEL,v1,…,vN per line), an image folder "
                + "(one sub-folder per class), an IDX images file (labels beside it) or an MNIST folder.",
            "Progress: a live bar on a terminal, plain lines every 10 s otherwise, and one line per epoch on "
                + "standard output. Ctrl-C or SIGTERM stops after the current mini-batch and saves the model (a "
                + "second one quits at once without saving); q + Enter stops after the current epoch.",
            "",
            "Further training: --init MODEL starts from the parameters of a trained model (an archive, a "
                + "checkpoint or a network file of the C++ Richard) with CONFIG's data, hyper-parameters and "
                + "learning rates.",
            "",
            "Checkpoints: --checkpoint-every 2 writes MODEL.checkpoint every 2 epochs, --checkpoint-every 500b every "
                + "500 mini-batches; after a crash, `richard train CONFIG --resume MODEL.checkpoint` continues where "
                + "the checkpoint left off. If the cost or a parameter becomes NaN or infinite, training stops "
                + "(exit status 2), names the epoch, mini-batch and layer, and keeps the last good checkpoint.",
            ""},
        footer = {"", "Per-epoch metrics go to MODEL.metrics.jsonl (one JSON object per line).",
            "Exit status: 0 trained and saved; 2 bad command line, config or data, or training diverged; 130 / 143 "
                + "stopped by Ctrl-C / SIGTERM (the model is still saved); 3 quit without saving (a second signal, "
                + "or one before training started); 1 anything else."})
final class TrainCommand implements Callable<Integer> {

    /** The file format of the saved model. */
    enum ModelFormat { archive, reference }

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The training config (YAML or JSON).")
    Path config;

    @Option(names = {"-d", "--data"}, paramLabel = "PATH",
            description = "Training samples; overrides training.data of CONFIG.")
    Path data;

    @Option(names = "--test", paramLabel = "PATH",
            description = "Test samples evaluated after every epoch; overrides training.test. An MNIST folder "
                    + "gives its t10k files.")
    Path test;

    @Option(names = {"-o", "--model"}, paramLabel = "FILE",
            description = "Where to save the model (replaced atomically). Default: ./CONFIG-NAME.richard")
    Path model;

    /**
     * Set by the C++ program's command line (LegacyArgs): messages name its options (--network, --config,
     * --samples) instead of this command's (-o, CONFIG, --data).
     */
    @Option(names = "--reference-option-names", hidden = true)
    boolean referenceOptionNames;

    @Option(names = "--model-format", paramLabel = "archive|reference",
            description = "archive: richard's model archive (default); reference: the C++ Richard's network "
                    + "file, which it can evaluate and train further. When --model is the --init file, its format "
                    + "is kept.")
    ModelFormat modelFormat;

    @Option(names = "--epochs", paramLabel = "N", description = "Overrides classifier.network.hyperparams.epochs.")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the initial weights (0 = the reference's) and of shuffling; overrides "
                    + "training.seed (default 0).")
    Long seed;

    @Option(names = "--shuffle", negatable = true,
            description = "Visit the samples in a new random order every epoch (--no-shuffle: the reference's data "
                    + "order); overrides training.shuffle (default: no).")
    Boolean shuffle;

    @Option(names = "--resize", negatable = true,
            description = "Scale images whose size differs from data.shape instead of rejecting them; overrides "
                    + "training.resize (default: no).")
    Boolean resize;

    @Option(names = "--limit", paramLabel = "N",
            description = "Read at most N training samples (the first N); overrides training.limit. The test set "
                    + "is read whole unless --test-limit is given.")
    Integer limit;

    @Option(names = "--test-limit", paramLabel = "N",
            description = "Read at most N test samples; overrides training.testLimit (default: all).")
    Integer testLimit;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the cost and accuracy curves as a PNG.")
    Path plot;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Write an HTML report (curves, confusion matrix, per-class scores, the most confidently wrong "
                    + "test samples, layers, kernels) after every epoch and at the end; replaced atomically, so it can "
                    + "be reloaded while training runs.")
    Path report;

    @Option(names = "--metrics", paramLabel = "FILE",
            description = "Where to write the per-epoch metrics (JSON lines). Default: MODEL.metrics.jsonl")
    Path metrics;

    @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
            description = "How to show progress within an epoch. Default: ${DEFAULT-VALUE} (a bar on a terminal).")
    String progress;

    @Option(names = "--checkpoint-every", paramLabel = "N[e|b]",
            description = "Write a checkpoint (model, epoch, position in the epoch, seeds) every N epochs (N or Ne, "
                    + "e.g. 2) or every N mini-batches (Nb, e.g. 500b), and when training stops or ends. Written "
                    + "atomically: a crash leaves the previous checkpoint. Resume with --resume.")
    String checkpointEvery;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Where to write checkpoints. Default: MODEL.checkpoint (with --resume: the file resumed from)")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue the training saved in CHECKPOINT (written with --checkpoint-every) with CONFIG's "
                    + "network; at the same thread count the result is exactly that of an uninterrupted run. The seed, "
                    + "shuffling, epochs planned, --limit, --test-limit, --resize and data paths come from the "
                    + "checkpoint (give an option again to change it, e.g. --epochs 20); learnRate, learnRateDecay and "
                    + "dropoutRate may be changed in CONFIG.")
    Path resume;

    @Option(names = "--init", paramLabel = "MODEL",
            description = "Start from the parameters of MODEL (a model archive, a checkpoint or a network file of the "
                    + "C++ Richard) instead of new ones. CONFIG gives the data, hyper-parameters, learning rates and "
                    + "dropout rates; its layers and shapes must equal MODEL's.")
    Path init;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Train on Apache Spark by parameter averaging: local[N] (N threads of this JVM), "
                    + "spark://HOST:PORT (a standalone cluster), yarn, k8s://…. The data is read by the cluster; the "
                    + "config's spark section sets averageEvery, partitions, cache and Spark settings (conf). Needs "
                    + "the richard-spark module: ./richard builds it on first use.")
    String spark;

    @Option(names = "--average-every", paramLabel = "N",
            description = "With --spark: mini-batches each partition trains between two averages of the parameters; "
                    + "overrides spark.averageEvery (default " + SparkOptions.DEFAULT_AVERAGE_EVERY + ").")
    Integer averageEvery;

    @Option(names = "--partitions", paramLabel = "N",
            description = "With --spark: partitions the data is split into (one task each per round); overrides "
                    + "spark.partitions (default: Spark's default parallelism).")
    Integer partitions;

    @Mixin
    EngineOptions engine;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Whether to install the Ctrl-C and SIGTERM handlers; the command line does, in-process tests do not. */
    static boolean handleSignals = false;

    /** The locks on the outputs, held from before the data is read until the last output is written. */
    private volatile RunFiles.Locks locks;

    /** Ctrl-C and SIGTERM, handled from before the config is read until the last output is written. */
    private StopControl stopControl;

    /** The cluster of --spark, from when it is connected until the outputs are written. */
    private ClusterTraining.Session cluster;

    /** How messages name {@code option}: as the user wrote it, in the C++ program's terms when they used those. */
    private String named(String option) {
        return LegacyArgs.named(option, referenceOptionNames);
    }

    @Override
    public Integer call() {
        long start = System.nanoTime();
        // the files named on the command line, before the log file is opened (it must not be the config, …)
        new RunFiles().input("config", named("CONFIG"), config).input("training data", named("--data"), data)
                .input("test data", "--test", test).input("checkpoint to resume", "--resume", resume)
                .input("model to start from", "--init", init).allowSame(named("-o"), "--init")
                .output("model", named("-o"), model).output("metrics file", "--metrics", metrics)
                .output("plot", "--plot", plot)
                .output("report", "--report", report).output("checkpoint", "--checkpoint", checkpoint).appended("log file", "--log", common.log)
                .allowSame("--checkpoint", "--resume").check();
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log, true)) {
            try {
                return train(console, start);
            } catch (RuntimeException e) {
                console.log("ERROR", Errors.oneLine(e.getMessage()));
                throw e;
            } finally {
                if (cluster != null) {
                    cluster.close();
                    cluster = null;
                }
                if (locks != null) {
                    locks.close();
                }
                if (stopControl != null) {
                    stopControl.close();
                }
            }
        }
    }

    private int train(Console console, long start) {
        stopControl = StopControl.install(console, handleSignals, () -> {
            RunFiles.Locks held = locks;
            if (held != null) {
                held.close();
            }
        });
        TrainingMonitor.Mode mode = progressMode();
        if (epochs != null && epochs < 0) {
            throw new UsageException("--epochs must be 0 or more, got " + epochs);
        }
        if (limit != null && limit <= 0) {
            throw new UsageException("--limit must be a positive number, got " + limit);
        }
        if (testLimit != null && testLimit <= 0) {
            throw new UsageException("--test-limit must be a positive number, got " + testLimit);
        }
        CheckpointInterval interval = null;
        if (checkpointEvery != null) {
            try {
                interval = CheckpointInterval.parse(checkpointEvery);
            } catch (ConfigException e) {
                throw new UsageException("--checkpoint-every: " + e.getMessage());
            }
        }
        if (init != null && resume != null) {
            throw new UsageException("--init and --resume cannot be combined: --resume continues the run saved in"
                    + " a checkpoint, --init starts a new run from a model's parameters");
        }
        long fromStandardInput = java.util.stream.Stream.of(config, data, test, init).filter(Input::isStandardInput)
                .count();
        if (fromStandardInput > 1) {
            throw new UsageException("standard input (-) is given " + fromStandardInput + " times; it can be read once");
        }
        ClusterTraining clusterTraining = sparkChecks();
        if (model == null && (Input.isStandardInput(config)
                || Files.exists(config) && !Files.isRegularFile(config) && !Files.isDirectory(config))) {
            throw new UsageException("the config is read from " + (Input.isStandardInput(config) ? "standard input"
                    : config + ", not a file") + ": give the model's file name with -o FILE");
        }
        engine.apply();
        TrainingConfig cfg = ConfigReader.read(config);
        TrainingOptions options = cfg.training();
        Path dataPath = data != null ? data : options.data().orElse(null);      // or the checkpoint's, when resuming
        Optional<Path> testPath = test != null ? Optional.of(test) : options.test();
        long seedValue = seed != null ? seed : options.seed();
        boolean shuffleValue = shuffle != null ? shuffle : options.shuffle();
        boolean resizeValue = resize != null ? resize : options.resize();
        int limitValue = limit != null ? limit : options.limit().orElse(Integer.MAX_VALUE);
        int testLimitValue = testLimit != null ? testLimit : options.testLimit().orElse(Integer.MAX_VALUE);
        // --spark: where the cluster reads the data (a URI as written, or a local path made absolute)
        String dataLocation = data != null ? location("--data", data) : options.dataUri()
                .orElse(options.data().map(TrainCommand::absolute).orElse(null));
        Optional<String> testLocation = test != null ? Optional.of(location("--test", test)) : options.testUri()
                .or(() -> options.test().map(TrainCommand::absolute));
        if (clusterTraining == null) {
            if (data == null && dataPath == null && options.dataUri().isPresent()) {
                throw new UsageException("training.data " + options.dataUri().get() + " in " + config + " is a URI,"
                        + " which only Spark reads: give --spark MASTER, or a local path");
            }
            if (test == null && testPath.isEmpty() && options.testUri().isPresent()) {
                throw new UsageException("training.test " + options.testUri().get() + " in " + config + " is a URI,"
                        + " which only Spark reads: give --spark MASTER, or a local path");
            }
            if (data != null && TrainingOptions.isUri(dataLocation)) {
                throw new UsageException("--data " + dataLocation + " is a URI, which only Spark reads: give --spark"
                        + " MASTER, or a local path");
            }
            if (test != null && TrainingOptions.isUri(testLocation.get())) {
                throw new UsageException("--test " + testLocation.get() + " is a URI, which only Spark reads: give"
                        + " --spark MASTER, or a local path");
            }
        } else {
            if (dataLocation != null && TrainingOptions.isUri(dataLocation)) {
                dataPath = null;                                   // not a file of this machine
            }
            if (testLocation.isPresent() && TrainingOptions.isUri(testLocation.get())) {
                testPath = Optional.empty();
            }
        }

        ModelSpec spec = cfg.model();
        Hyperparams hyperparams = spec.network().hyperparams();
        if (epochs != null) {
            hyperparams = new Hyperparams(epochs, hyperparams.batchSize(), hyperparams.miniBatchSize());
            spec = spec.withNetwork(spec.network().withHyperparams(hyperparams));
        }
        Path modelPath = model != null ? model : Path.of(stem(config) + ".richard");
        // the metrics file and the checkpoint go beside the model by default, if it is a file (not /dev/null, a FIFO…)
        boolean modelIsFile = OutputFiles.kind(modelPath) != OutputFiles.Kind.STREAM;
        Path metricsPath = metrics != null ? metrics : modelIsFile
                ? modelPath.resolveSibling(modelPath.getFileName() + ".metrics.jsonl") : null;
        MemoryEstimate.of(spec, EVALUATION_BATCH).withParameterCopies(options.earlyStopping().isPresent() ? 1 : 0)
                .require(MemoryEstimate.available());                                  // before allocating anything

        Network initial = null;
        SavedModel initModel = null;
        if (init != null) {
            initModel = Input.loadModel(init);
            initial = initialNetwork(spec, initModel, seedValue, console);    // before reading any data
        }
        ModelFormat format = modelFormat != null ? modelFormat
                : initModel != null && initModel.formatVersion() == 0 && sameFile(init, modelPath)
                ? ModelFormat.reference : ModelFormat.archive;
        if (format == ModelFormat.reference) {
            Optional<String> why = ReferenceNetworkFile.unsupported(spec);
            if (why.isPresent()) {
                throw new UsageException((modelFormat != null
                        ? "--model-format reference: the C++ Richard's network file format cannot hold this network: "
                        : "-o " + modelPath + " is the --init network file, which would be written back in the C++"
                        + " Richard's format; that format cannot hold this network: ") + why.get()
                        + "; write a model archive (--model-format archive" + (modelFormat != null ? ")"
                        : ", or -o another file)"));
            }
        }

        Checkpoint resumed = null;
        List<String> resumedOptions = new java.util.ArrayList<>();
        if (resume != null) {
            resumed = Checkpoint.load(resume);
            long savedSeed = resumed.network().seed();
            boolean savedShuffle = resumed.state().shuffleSeed().isPresent();
            if (seed != null && seed != savedSeed) {
                throw new UsageException("--seed " + seed + " differs from the seed " + savedSeed + " of the checkpoint "
                        + resume + "; leave --seed out when resuming");
            }
            if (shuffle != null && shuffle != savedShuffle) {
                throw new UsageException((shuffle ? "--shuffle" : "--no-shuffle") + " differs from the checkpoint "
                        + resume + ", which was trained " + (savedShuffle ? "shuffled" : "in data order")
                        + "; leave it out when resuming");
            }
            seedValue = savedSeed;
            shuffleValue = savedShuffle;
            Hyperparams saved = resumed.network().model().network().hyperparams();
            if (saved.batchSize() != hyperparams.batchSize() || saved.miniBatchSize() != hyperparams.miniBatchSize()) {
                throw new ConfigException(config + ": classifier.network.hyperparams: batchSize " + hyperparams.batchSize()
                        + " and miniBatchSize " + hyperparams.miniBatchSize() + " differ from the checkpoint's "
                        + saved.batchSize() + " and " + saved.miniBatchSize() + " (" + resume + "); they must stay the"
                        + " same to resume");
            }
            String optimizer = Optimizers.of(spec.network().optimizer()).name();
            if (!optimizer.equals(resumed.state().optimizer())) {
                throw new ConfigException(config + ": classifier.network.optimizer is " + optimizer + ", but the"
                        + " checkpoint " + resume + " was trained with " + resumed.state().optimizer() + "; the"
                        + " optimiser (its type) cannot change when resuming");
            }
            EarlyStopping.State watched = resumed.state().earlyStopping();
            if (watched != null && options.earlyStopping().isPresent()
                    && !watched.metric().equals(options.earlyStopping().get().metric())) {
                throw new ConfigException(config + ": training.earlyStopping.metric is "
                        + options.earlyStopping().get().metric() + ", but the checkpoint " + resume + " watched "
                        + watched.metric() + "; the metric cannot change when resuming");
            }
            // the options that shaped the run come from the checkpoint, unless given again on the command line
            Map<String, String> recorded = resumed.metadata();
            if (epochs == null && recorded.containsKey("epochsPlanned")) {
                int planned = savedInt(recorded, "epochsPlanned", hyperparams.epochs());
                if (planned != hyperparams.epochs()) {
                    resumedOptions.add("epochs " + planned + " (" + config + " says " + hyperparams.epochs() + ")");
                    hyperparams = new Hyperparams(planned, hyperparams.batchSize(), hyperparams.miniBatchSize());
                    spec = spec.withNetwork(spec.network().withHyperparams(hyperparams));
                }
            }
            if (limit == null && recorded.containsKey("limit")) {
                int savedLimit = savedLimit(recorded, "limit", limitValue);
                if (savedLimit != limitValue) {
                    resumedOptions.add("--limit " + limitText(savedLimit));
                    limitValue = savedLimit;
                }
            }
            if (testLimit == null && recorded.containsKey("testLimit")) {
                int savedLimit = savedLimit(recorded, "testLimit", testLimitValue);
                if (savedLimit != testLimitValue) {
                    resumedOptions.add("--test-limit " + limitText(savedLimit));
                    testLimitValue = savedLimit;
                }
            }
            if (resize == null && recorded.containsKey("resize")
                    && Boolean.parseBoolean(recorded.get("resize")) != resizeValue) {
                resizeValue = !resizeValue;
                resumedOptions.add(resizeValue ? "--resize" : "--no-resize");
            }
            if (clusterTraining != null) {
                // on a cluster the recorded locations are taken as they are: only the cluster can check them
                if (data == null && recorded.containsKey("data") && !recorded.get("data").equals(dataLocation)) {
                    dataLocation = recorded.get("data");
                    dataPath = TrainingOptions.isUri(dataLocation) ? null : Path.of(dataLocation);
                    resumedOptions.add("training data " + dataLocation);
                }
                if (test == null && recorded.containsKey("test")
                        && !Optional.of(recorded.get("test")).equals(testLocation)) {
                    testLocation = Optional.of(recorded.get("test"));
                    testPath = TrainingOptions.isUri(testLocation.get()) ? Optional.empty()
                            : Optional.of(Path.of(testLocation.get()));
                    resumedOptions.add("test data " + testLocation.get());
                }
                checkSparkResume(resumed.metadata(), resumedOptions);
            } else {
                if (data == null && recorded.containsKey("data")) {
                    dataPath = savedPath(recorded.get("data"), dataPath, "training data", "--data", resumedOptions,
                            console);
                }
                if (test == null && recorded.containsKey("test")) {
                    testPath = Optional.of(savedPath(recorded.get("test"), testPath.orElse(null), "test data",
                            "--test", resumedOptions, console));
                }
            }
            if (interval == null && resumed.metadata().containsKey("checkpointEvery")) {
                try {
                    interval = CheckpointInterval.parse(resumed.metadata().get("checkpointEvery"));
                } catch (ConfigException e) {
                    console.warn("ignoring the checkpoint's checkpointEvery " + Quote.single(resumed.metadata().get("checkpointEvery"))
                            + "; give --checkpoint-every to keep writing checkpoints");
                }
            }
        }
        if (clusterTraining != null ? dataLocation == null : dataPath == null) {
            throw new UsageException("no training data: give --data PATH, or set training.data in " + config);
        }
        if (options.earlyStopping().isPresent() && clusterTraining != null) {
            throw new UsageException(config + ": training.earlyStopping is not available with --spark yet: train"
                    + " without it, or on one machine");
        }
        if (options.earlyStopping().isPresent() && testPath.isEmpty()) {
            throw new UsageException(config + ": training.earlyStopping needs a test set to watch: give --test PATH,"
                    + " or set training.test");
        }
        Network resumedNetwork = resumed == null ? null : resumed.network(spec);   // same data and layers, before reading data
        if (interval != null && checkpoint == null && resume == null && !modelIsFile) {
            throw new UsageException("--checkpoint-every needs --checkpoint FILE here: the model goes to " + modelPath
                    + ", which is not a file, so the default MODEL.checkpoint cannot be beside it");
        }
        Path checkpointPath = checkpoint != null ? checkpoint : resume != null ? resume
                : modelPath.resolveSibling(modelPath.getFileName() + ".checkpoint");
        RunFiles files = new RunFiles().input("config", named("CONFIG"), config)
                .input("training data", data != null ? named("--data") : "training.data", dataPath)
                .input("training labels", data != null ? named("--data") : "training.data", dataPath == null ? null
                        : DataSources.findLabelsBeside(dataPath).orElse(null))
                .input("test data", test != null ? "--test" : "training.test", testPath.orElse(null))
                .input("test labels", test != null ? "--test" : "training.test",
                        testPath.flatMap(DataSources::findLabelsBeside).orElse(null))
                .input("checkpoint to resume", "--resume", resume)
                .input("model to start from", "--init", init).allowSame(named("-o"), "--init")   // read whole first
                .output("model", named("-o"), modelPath).output("metrics file", "--metrics", metricsPath)
                .output("plot", "--plot", plot).output("report", "--report", report)
                .output("checkpoint", "--checkpoint", interval != null ? checkpointPath
                        : null).appended("log file", "--log", common.log).allowSame("--checkpoint", "--resume");
        try {
            files.checkAppended();                        // the log file, before anything is logged to it
        } catch (RuntimeException e) {
            console.discardLog();
            throw e;
        }
        console.openLog();
        files.check();                                                         // before anything is read or written
        if (interval == null && checkpoint != null) {
            console.warn("--checkpoint " + checkpoint + " is not used: no checkpoints are written without"
                    + " --checkpoint-every");
        }
        cfg.warnings().forEach(console::warn);
        locks = files.lock();

        console.info("richard " + Home.version() + ": training " + Input.name(config) + " (" + Backend.describe() + ")");
        int fetchSize = spec.dataLoader().fetchSize();
        DataSources.Loaded train = null;
        DataSources.Loaded testSet = null;
        ClusterTraining.Data clusterTrain = null;
        ClusterTraining.Data clusterTest = null;
        int trainSize;
        if (clusterTraining != null) {
            SparkOptions sparkOptions = sparkOptions(cfg.spark());
            cluster = clusterTraining.connect(spark, sparkOptions, "richard train " + Input.name(config),
                    console::info);
            console.info("  spark    " + cluster.describe());
            clusterTrain = cluster.read(dataLocation, spec, false, limitValue);
            trainSize = clusterTrain.size();
            console.info("  data     " + dataLocation + ": " + Text.count(trainSize) + " samples ("
                    + clusterTrain.format() + limited(trainSize, limitValue, "--limit") + ", read by Spark in "
                    + clusterTrain.partitions() + " partitions in " + Text.duration(clusterTrain.seconds()) + ")");
            if (testLocation.isPresent()) {
                clusterTest = cluster.read(testLocation.get(), spec, true, testLimitValue);
                console.info("  test     " + testLocation.get() + ": " + Text.count(clusterTest.size()) + " samples ("
                        + clusterTest.format() + limited(clusterTest.size(), testLimitValue, "--test-limit")
                        + ", evaluated by Spark after every epoch)");
            }
        } else {
            train = DataSources.load(dataPath, spec.data(), fetchSize, resizeValue, limitValue,
                    DataSources.Role.TRAIN);
            trainSize = train.data().size();
            console.info("  data     " + Input.name(dataPath) + ": " + Text.count(train.data().size()) + " samples ("
                    + train.format() + limited(train.data().size(), limitValue, "--limit") + ", read in "
                    + Text.duration(train.seconds()) + ")");
            if (testPath.isPresent()) {
                testSet = DataSources.load(testPath.get(), spec.data(), fetchSize, resizeValue, testLimitValue,
                        DataSources.Role.TEST);
                console.info("  test     " + Input.name(testPath.get()) + ": " + Text.count(testSet.data().size())
                        + " samples (" + testSet.format() + limited(testSet.data().size(), testLimitValue,
                        "--test-limit") + (testLimitValue == Integer.MAX_VALUE && limitValue != Integer.MAX_VALUE
                        ? ", all of them: --limit leaves the test set whole, --test-limit N limits it" : "") + ")");
            }
        }
        Network network = engine.onKernels(resumed != null ? resumedNetwork : initial != null ? initial
                : Network.create(spec, seedValue));
        int perEpoch = Math.min(hyperparams.batchSize(), trainSize);
        if (resumed != null) {
            String savedPerEpoch = resumed.metadata().get("samplesPerEpoch");
            if (savedPerEpoch != null && !savedPerEpoch.equals(Integer.toString(perEpoch))) {
                console.warn("the checkpoint was trained on " + savedPerEpoch + " samples per epoch, this data gives "
                        + perEpoch + "; the result will differ from an uninterrupted run");
            }
        }
        console.info("  network  " + Text.network(spec) + ", " + Text.count(network.parameterCount()) + " parameters");
        console.info("  epochs   " + hyperparams.epochs() + " × " + Text.count(perEpoch) + " samples, mini-batches of "
                + hyperparams.miniBatchSize() + ", " + (shuffleValue ? "shuffled" : "data order") + ", seed "
                + seedValue);
        if (!(spec.network().optimizer() instanceof OptimizerSpec.Sgd)) {
            console.info("  optimizer " + spec.network().optimizer().describe());
        }
        if (spec.network().schedule() != null) {
            console.info("  schedule " + spec.network().schedule().describe() + ", on the layers' rates");
        }
        EarlyStopping stopping = options.earlyStopping().map(s -> new EarlyStopping(s, network)).orElse(null);
        if (stopping != null) {
            console.info("  stopping when the " + stopping.spec().words() + " has not improved for "
                    + stopping.spec().patience() + (stopping.spec().patience() == 1 ? " epoch" : " epochs")
                    + "; the best epoch's model is saved");
        }
        int split = engine.splitThreads(network);
        if (clusterTraining == null && split > 1) {
            console.info("  threads  each mini-batch split between " + split + " threads, gradients summed");
        }
        int splitBefore = resumed == null || clusterTraining != null ? 0
                : savedInt(resumed.metadata(), "splitThreads", 0);
        if (splitBefore > 0 && splitBefore != split) {
            // the parts' gradients are summed in another grouping: the same sums, rounded otherwise
            console.warn("the checkpoint's run " + (splitBefore == 1 ? "did not split mini-batches"
                    : "split each mini-batch between " + splitBefore + " threads") + " and this one "
                    + (split == 1 ? "does not" : "splits them between " + split) + ": the result will differ from"
                    + " an uninterrupted run by float rounding; give --threads " + splitBefore + " to continue it"
                    + " exactly");
        }
        if (initModel != null) {
            console.info("  init     parameters of " + init + " (" + (initModel.formatVersion() == 0
                    ? "network file of the C++ Richard" : "model archive") + ")");
        }
        console.info("  model    " + modelPath + (format == ModelFormat.reference ? " (network file of the C++ Richard)"
                : ""));
        if (resumed != null) {
            console.info("  resume   " + resume + " at " + resumed.state().describe() + (resumedOptions.isEmpty() ? ""
                    : " with the checkpoint's options: " + String.join(", ", resumedOptions) + "; give an option"
                    + " again to change it"));
            if (resumed.state().epoch() >= hyperparams.epochs()) {
                console.warn("nothing left to train: the checkpoint is at " + resumed.state().describe() + " and "
                        + hyperparams.epochs() + " epochs are planned; give --epochs N to train further");
            }
        }
        if (interval != null) {
            console.info("  checkpoints every " + interval + " to " + checkpointPath);
        }
        DataSources.Loaded reportData = testSet != null ? testSet : train;
        ReportWriter reportWriter = null;
        if (report != null) {
            reportWriter = new ReportWriter(report, modelPath.getFileName() == null ? modelPath.toString()
                    : modelPath.getFileName().toString(), format == ModelFormat.reference
                    ? "network file of the C++ Richard" : "model archive", Map.of(), reportData,
                    (testSet != null ? testPath.get() : dataPath).toString(), testSet != null ? "the test set"
                    : "the training data (there is no test set)", ReportAnalysis.DEFAULT_MISTAKES);
            console.info("  report   " + report + " after every epoch" + (testSet != null ? ""
                    : "; it evaluates the training data (there is no test set), which takes a pass over it"));
        }
        String stdinTty = System.getenv("RICHARD_STDIN_TTY");
        boolean stdin = stdinTty != null ? stdinTty.equals("1") : System.console() != null;
        if (hyperparams.epochs() > 0) {
            console.info("Ctrl-C stops after the current " + (clusterTraining != null ? "round" : "mini-batch") + " and saves"
                    + (stdin ? "; q + Enter stops after the current epoch" : ""));
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("trainedBy", "richard-cli " + Home.version());
        metadata.put("config", config.toString());
        metadata.put("data", clusterTraining != null ? dataLocation : absolute(dataPath));
        if (clusterTraining != null) {
            testLocation.ifPresent(p -> metadata.put("test", p));
        } else {
            testPath.ifPresent(p -> metadata.put("test", absolute(p)));
        }
        if (init != null) {
            metadata.put("init", init.toString());
        }
        metadata.put("seed", Long.toString(seedValue));
        metadata.put("shuffle", Boolean.toString(shuffleValue));
        metadata.put("resize", Boolean.toString(resizeValue));
        metadata.put("epochsPlanned", Integer.toString(hyperparams.epochs()));
        metadata.put("limit", limitText(limitValue));
        if (testSet != null || clusterTest != null) {
            metadata.put("testLimit", limitText(testLimitValue));
            metadata.put("testSamples", Integer.toString(testSet != null ? testSet.data().size() : clusterTest.size()));
        }
        metadata.put("samplesPerEpoch", Integer.toString(perEpoch));
        if (clusterTraining == null) {
            metadata.put("splitThreads", Integer.toString(engine.splitThreads(network)));
        }
        if (clusterTraining != null) {
            SparkOptions sparkOptions = sparkOptions(cfg.spark());
            metadata.put("spark.master", spark);
            metadata.put("spark.averageEvery", Integer.toString(sparkOptions.averageEvery()));
            metadata.put("spark.partitions", Integer.toString(clusterTrain.partitions()));
        }
        Map<String, String> checkpointMetadata = new LinkedHashMap<>(metadata);
        if (interval != null) {
            checkpointMetadata.put("checkpointEvery", interval.count() + (interval.epochs() ? "e" : "b"));
        }

        List<EpochResult> results;
        TrainingMonitor monitor;
        int[] reportedEpoch = {-1};                       // the epoch the report's evaluation was made after
        boolean[] reportFailed = {false};
        java.util.function.Supplier<TrainingState> trainingState;
        java.util.function.BooleanSupplier earlyStop = () -> false;   // whether early stopping ended the run
        TrainingState[] lastCheckpoint = {null};
        int firstEpoch = resumed == null ? 0 : resumed.state().epoch();
        try (MetricsLog metricsLog = resumed == null ? new MetricsLog(metricsPath)
                : MetricsLog.continuing(metricsPath, firstEpoch)) {
            if (clusterTraining != null) {
                ClusterTraining.Session session = cluster;
                ClusterTraining.Data evaluated = clusterTest;
                monitor = new TrainingMonitor(console, mode, network, evaluated == null ? null
                        : n -> session.evaluate(n, evaluated), metricsLog);
            } else {
                monitor = new TrainingMonitor(console, mode, network, testSet == null ? null : testSet.data(),
                        engine.splitThreads(network), metricsLog, stopping);
            }
            if (reportWriter != null) {
                ReportWriter writer = reportWriter;
                TrainingMonitor shown = monitor;
                boolean ownPass = testSet == null;                // the test-set pass is the monitor's
                monitor.afterEpoch(testSet != null ? writer : null, record -> {
                    if (record.stopped()) {
                        return;                                    // the final report follows at once
                    }
                    try {
                        if (ownPass) {
                            writer.evaluate(network, reportData.data(), EVALUATION_BATCH, engine.splitThreads(network));
                        }
                        Map<String, String> facts = new LinkedHashMap<>(metadata);
                        facts.put("epochs", Integer.toString(record.epoch()));
                        writer.write(network, reportHistory(metricsPath, shown), historySource(metricsPath),
                                "Training in progress: epoch " + record.epoch() + " of " + record.epochs() + " done.",
                                facts);
                        reportedEpoch[0] = record.epoch();
                    } catch (java.io.UncheckedIOException e) {
                        if (!reportFailed[0]) {
                            console.warn(Errors.oneLine(e.getMessage()) + "; training goes on, and the report is"
                                    + " tried again after every epoch and at the end");
                        }
                        reportFailed[0] = true;
                    }
                });
            }
            Trainer.CheckpointSink sink = interval == null ? null : state -> {
                Checkpoint.save(checkpointPath, network, state, checkpointMetadata);
                lastCheckpoint[0] = state;
                console.debug("checkpoint written to " + checkpointPath + " at " + state.describe());
            };
            Runnable requestStop;
            java.util.function.Supplier<List<EpochResult>> run;
            if (clusterTraining != null) {
                ClusterTraining.Fit fit = cluster.fit(network, hyperparams, shuffleValue ? OptionalLong.of(seedValue)
                        : OptionalLong.empty(), engine.threads != null ? engine.threads : 1,
                        resumed != null ? resumed.state() : null, List.of(monitor), interval, sink);
                ClusterTraining.Data data = clusterTrain;
                requestStop = fit::requestStop;
                trainingState = fit::state;
                run = () -> fit.fit(data);
            } else {
                Trainer.Builder builder = Trainer.builder(network).hyperparams(hyperparams).listener(monitor)
                        .parallel(engine.splitThreads(network));
                if (shuffleValue) {
                    builder.shuffle(seedValue);
                }
                if (resumed != null) {
                    builder.resume(resumed.state());
                }
                if (interval != null) {
                    builder.checkpoint(interval, sink);
                }
                if (stopping != null) {
                    builder.earlyStopping(stopping);
                }
                Trainer trainer = builder.build();
                DataSources.Loaded data = train;
                requestStop = trainer::requestStop;
                trainingState = trainer::state;
                earlyStop = trainer::stoppedEarly;
                run = () -> trainer.fit(data.data());
            }
            monitor.attach(requestStop);
            stopControl.training(requestStop, monitor, stdin);
            try {
                results = run.get();
            } catch (TrainingDivergedException e) {
                throw e.withAdvice(divergenceAdvice(lastCheckpoint[0], checkpointPath, resumed, modelPath));
            } finally {
                stopControl.saving();
            }
        }
        TrainingState end = trainingState.get();
        boolean moved = resumed == null ? !end.equals(lastCheckpoint[0]) : !end.equals(resumed.state())
                && !end.equals(lastCheckpoint[0]);
        if (interval != null && moved) {
            Checkpoint.save(checkpointPath, network, end, checkpointMetadata);       // where a resume continues
            console.info("checkpoint written to " + checkpointPath + " at " + end.describe());
        }

        metadata.put("epochs", Integer.toString(end.epoch()));                // whole epochs
        if (end.samples() > 0) {
            metadata.put("stoppedAfter", Text.position(end.epoch(), end.samples()));
        }
        List<EpochRecord> history = monitor.history();
        // with early stopping, the model saved is the best epoch's (the checkpoint above keeps the last parameters)
        OptionalInt kept = stopping == null ? OptionalInt.empty() : stopping.restoreBest();
        boolean stoppedEarly = earlyStop.getAsBoolean() && end.epoch() < hyperparams.epochs();
        if (kept.isPresent()) {
            metadata.put("bestEpoch", Integer.toString(kept.getAsInt() + 1));
            metadata.put("earlyStopping", "patience " + stopping.spec().patience() + ", " + stopping.spec().metric()
                    + (stoppedEarly ? "; stopped after epoch " + end.epoch() : ""));
        }
        EpochRecord keptRecord = kept.isEmpty() ? null : history.stream()
                .filter(r -> r.epoch() == kept.getAsInt() + 1).findFirst().orElse(null);
        if (!history.isEmpty()) {
            EpochRecord last = keptRecord != null ? keptRecord : history.get(history.size() - 1);
            if (last.meanCost() != null) {
                metadata.put("trainCost", Double.toString(last.meanCost()));
            }
            if (last.testAccuracy() != null) {
                metadata.put("testAccuracy", Double.toString(last.testAccuracy()));
            }
        }
        metadata.put("stopped", Boolean.toString(end.epoch() < hyperparams.epochs()));
        if (format == ModelFormat.reference) {
            ReferenceNetworkFile.save(modelPath, network);
        } else {
            ModelArchive.save(modelPath, network, metadata);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder done = new StringBuilder();
        boolean stopped = end.epoch() < hyperparams.epochs();
        String signal = stopControl.signalName();
        if (stopped) {
            done.append("stopped").append(signal != null ? " by " + signal : "").append(" after ")
                    .append(Text.position(end.epoch(), end.samples()));
        } else {
            done.append("trained ").append(results.size()).append(results.size() == 1 ? " epoch" : " epochs");
        }
        if (resumed != null) {
            done.append(" (resumed at epoch ").append(firstEpoch + 1).append(')');
        }
        done.append(" in ").append(Text.duration(seconds));
        if (!history.isEmpty()) {
            EpochRecord last = history.get(history.size() - 1);
            if (last.meanCost() != null) {
                done.append("; cost ").append(Text.cost(last.meanCost()));
            }
            if (last.testAccuracy() != null) {
                done.append(", test accuracy ").append(Text.percent(last.testAccuracy()));
            }
        }
        console.result(done.toString());
        if (kept.isPresent()) {
            int bestEpoch = kept.getAsInt() + 1;
            String best = stopping.spec().metric().equals(io.richard.api.spec.EarlyStoppingSpec.TEST_ACCURACY)
                    ? Text.percent(stopping.best()) : Text.cost(stopping.best());
            int without = stopping.epochsWithoutImprovement();
            console.result(stoppedEarly
                    ? "stopped early after epoch " + end.epoch() + " of " + hyperparams.epochs() + ": the "
                    + stopping.spec().words() + " has not improved for " + without + (without == 1 ? " epoch" : " epochs")
                    + " since epoch " + bestEpoch + "'s " + best + "; the model saved is epoch " + bestEpoch + "'s"
                    : "the model saved is epoch " + bestEpoch + "'s, with the best " + stopping.spec().words() + " ("
                    + best + ")");
        }
        console.result("model saved to " + modelPath + (format == ModelFormat.reference
                ? " (the reference's network file format)" : ""));
        if (reportWriter != null) {
            boolean restored = kept.isPresent() && kept.getAsInt() + 1 != end.epoch();
            if (!reportWriter.evaluated() || reportedEpoch[0] != end.epoch() || end.samples() != 0 || restored) {
                reportWriter.evaluate(network, reportData.data(), EVALUATION_BATCH, engine.splitThreads(network));
            }
            reportWriter.write(network, reportHistory(metricsPath, monitor), historySource(metricsPath), null, metadata);
            console.info("report written to " + report);
        }
        console.info(metricsPath != null ? "metrics written to " + metricsPath : "no metrics file written: the model"
                + " went to " + modelPath + ", which is not a file (give --metrics FILE for one)");
        if (plot != null) {
            if (Plots.write(plot, history, "richard: " + stem(config))) {
                console.info("plot written to " + plot);
            } else {
                console.warn("no plot drawn: no epoch finished");
            }
        }
        return stopped && signal != null ? stopControl.status() : 0;
    }

    /**
     * The checks of --spark and its options, before anything is read: the richard-spark module must be on the
     * class path (it says how to get it), and what needs local data cannot be asked for. Returns the cluster
     * training to use, or null without --spark.
     */
    private ClusterTraining sparkChecks() {
        if (spark == null) {
            if (averageEvery != null || partitions != null) {
                throw new UsageException((averageEvery != null ? "--average-every" : "--partitions")
                        + " is for training on Spark: give --spark MASTER too");
            }
            return null;
        }
        if (spark.isBlank()) {
            throw new UsageException("--spark needs a master: local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT");
        }
        if (averageEvery != null && averageEvery <= 0) {
            throw new UsageException("--average-every must be a positive number, got " + averageEvery);
        }
        if (partitions != null && partitions <= 0) {
            throw new UsageException("--partitions must be a positive number, got " + partitions);
        }
        if (report != null) {
            throw new UsageException("--report does not work with --spark: the report draws test samples, which stay"
                    + " on the cluster; write it afterwards with richard report MODEL DATA");
        }
        if (Input.isStandardInput(data) || Input.isStandardInput(test)) {
            throw new UsageException("--spark reads the data on the cluster, which cannot read standard input (-):"
                    + " give a path or a URI");
        }
        return ClusterTraining.find().orElseThrow(() -> new UsageException("--spark needs the richard-spark module,"
                + " which is not on the class path: run ./richard (it builds the module on first use with mvn -B"
                + " -DskipTests -pl richard-spark -am package and adds it), or submit"
                + " richard-spark/target/richard-spark-submit.jar with spark-submit (README, Training on Apache Spark)"));
    }

    /** The config's spark section with --average-every and --partitions applied. */
    private SparkOptions sparkOptions(SparkOptions options) {
        return new SparkOptions(averageEvery != null ? averageEvery : options.averageEvery(),
                partitions != null ? java.util.OptionalInt.of(partitions) : options.partitions(), options.cache(),
                options.conf());
    }

    /**
     * A data option as a location for Spark: a URI as written on the command line ({@code hdfs://nn/x}, which a
     * path would turn into {@code hdfs:/nn/x}), or the path made absolute.
     */
    private String location(String option, Path path) {
        picocli.CommandLine.Model.OptionSpec matched = spec.commandLine().getParseResult().matchedOption(option);
        String written = matched != null && !matched.stringValues().isEmpty()
                ? matched.stringValues().get(matched.stringValues().size() - 1) : path.toString();
        return TrainingOptions.isUri(written) ? written : absolute(path);
    }

    /** A Spark run resumed with other averaging or partitions than the checkpoint's: said, as it changes the result. */
    private void checkSparkResume(Map<String, String> recorded, List<String> notes) {
        if (!recorded.containsKey("spark.averageEvery")) {
            notes.add("trained on one machine before");
            return;
        }
        String every = recorded.get("spark.averageEvery");
        String parts = recorded.get("spark.partitions");
        if (averageEvery == null && partitions == null) {
            // the checkpoint's averaging and partitions, unless given again
            try {
                averageEvery = Integer.parseInt(every);
                partitions = Integer.parseInt(parts);
                notes.add("--average-every " + every + " --partitions " + parts);
            } catch (NumberFormatException e) {
                // an edited checkpoint: the config's values
            }
        }
    }

    /**
     * The network CONFIG describes with the parameters of the --init model: the layers and shapes must be the
     * model's; class labels and normalization come from CONFIG (a warning says when they differ).
     */
    private Network initialNetwork(ModelSpec spec, SavedModel from, long seedValue, Console console) {
        ModelSpec saved = from.network().model();
        Optional<LayerDifference> difference = LayerDifference.between(spec, saved);
        if (difference.isPresent()) {
            LayerDifference d = difference.get();
            throw new ConfigException(config + ": " + d.where() + " is " + d.value() + " in the config but "
                    + d.other() + " in " + init + " (" + d.path() + "); --init needs the config's layers and shapes"
                    + " to equal the model's (learning rates, dropout rates, hyperparams and the data section may"
                    + " differ)");
        }
        if (!spec.classes().equals(saved.classes())) {
            console.warn("the config's classes " + spec.classes() + " differ from " + init + "'s " + saved.classes()
                    + "; output neuron k is trained as the config's class k");
        }
        if (!spec.data().normalization().equals(saved.data().normalization())) {
            console.warn("the config's normalization [" + spec.data().normalization().min() + ", "
                    + spec.data().normalization().max() + "] differs from " + init + "'s ["
                    + saved.data().normalization().min() + ", " + saved.data().normalization().max()
                    + "]; inputs are scaled as the config says");
        }
        return from.network().copyWith(spec, seedValue);
    }

    /** The epochs for the report: the metrics file's (all of a resumed run's), or this run's when it is not a file. */
    private static List<EpochRecord> reportHistory(Path metricsPath, TrainingMonitor monitor) {
        if (metricsPath != null && Files.isRegularFile(metricsPath)) {
            List<EpochRecord> records = ReportWriter.readMetrics(metricsPath);
            if (!records.isEmpty()) {
                return records;
            }
        }
        return monitor.history();
    }

    private static String historySource(Path metricsPath) {
        return metricsPath != null && Files.isRegularFile(metricsPath) ? "the metrics file " + metricsPath
                : "this run (no metrics file)";
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) ? Files.isSameFile(a, b) : a.toAbsolutePath().normalize()
                    .equals(b.toAbsolutePath().normalize());
        } catch (IOException e) {
            return false;
        }
    }

    /** ", the first 500 (--limit 500)" when a limit shortened a data set of {@code size} samples, else "". */
    private static String limited(int size, int limit, String option) {
        return limit != Integer.MAX_VALUE && size >= limit ? ", the first " + Text.count(limit) + ": " + option + " "
                + limit : "";
    }

    /** A limit as written in the metadata: the number, or "all". */
    private static String limitText(int limit) {
        return limit == Integer.MAX_VALUE ? "all" : Integer.toString(limit);
    }

    /** A limit from a checkpoint's metadata, or {@code otherwise} when it cannot be read. */
    private static int savedLimit(Map<String, String> metadata, String key, int otherwise) {
        String text = metadata.get(key);
        return "all".equals(text) ? Integer.MAX_VALUE : savedInt(metadata, key, otherwise);
    }

    private static int savedInt(Map<String, String> metadata, String key, int otherwise) {
        try {
            int value = Integer.parseInt(metadata.get(key));
            return value >= 0 ? value : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * The data path a checkpoint was trained on, if it is still there (and differs from {@code current}, which is
     * then replaced and the change noted); otherwise {@code current}, with a warning.
     */
    private static Path savedPath(String saved, Path current, String what, String option, List<String> notes,
                                  Console console) {
        if (saved == null || saved.equals("-")) {
            return current;
        }
        Path path = Path.of(saved);
        if (!Files.exists(path)) {
            if (current != null) {
                console.warn("the checkpoint's " + what + " " + saved + " is not there any more; reading " + current
                        + " instead (give " + option + " to choose)");
            }
            return current;
        }
        if (current == null || !RunFiles.identity(path).equals(RunFiles.identity(current))) {
            notes.add(what + " " + saved);
        }
        return path;
    }

    /** A path as stored in the metadata: absolute, so that a resume finds it from any working directory. */
    private static String absolute(Path path) {
        return Input.isStandardInput(path) ? path.toString() : path.toAbsolutePath().normalize().toString();
    }

    /** The mini-batch size the monitor evaluates the test set with. */
    static final int EVALUATION_BATCH = 256;

    /** What is kept after a divergence, and how to go on. */
    private String divergenceAdvice(TrainingState last, Path checkpointPath, Checkpoint resumed, Path modelPath) {
        String kept;
        if (last != null) {
            kept = " The last good checkpoint, " + checkpointPath + " (" + last.describe() + "), is kept: after"
                    + " lowering learnRate in " + config + ", continue with --resume " + checkpointPath + ".";
        } else if (resumed != null) {
            kept = " The checkpoint " + resume + " is unchanged: after lowering learnRate in " + config
                    + ", continue with --resume " + resume + ".";
        } else {
            kept = " No checkpoint was written (--checkpoint-every N keeps one).";
        }
        return kept + " The model " + modelPath + " was not written.";
    }

    private TrainingMonitor.Mode progressMode() {
        switch (progress.toLowerCase(Locale.ROOT)) {
            case "bar":
                return TrainingMonitor.Mode.BAR;
            case "lines":
                return TrainingMonitor.Mode.LINES;
            case "none":
                return TrainingMonitor.Mode.NONE;
            case "auto":
                boolean terminal = System.getenv("RICHARD_STDERR_TTY") != null
                        ? "1".equals(System.getenv("RICHARD_STDERR_TTY")) : System.console() != null;
                return terminal ? TrainingMonitor.Mode.BAR : TrainingMonitor.Mode.LINES;
            default:
                throw new UsageException("--progress must be auto, bar, lines or none, got " + Quote.single(progress));
        }
    }

    /** "configs/mnist-dense.yaml" → "mnist-dense". */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
