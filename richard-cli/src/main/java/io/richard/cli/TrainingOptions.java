package io.richard.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import io.richard.api.spec.EarlyStoppingSpec;

/**
 * The config's optional {@code training:} section, richard's extensions to the reference config. Every key has a
 * default, so a reference config (which has no such section) loads unchanged. Paths are already resolved against
 * the directory of the config file.
 *
 * @param data    {@code training.data}: training samples (CSV file, image folder, IDX images file or MNIST
 *                directory); default none, so {@code --data} must be given
 * @param test    {@code training.test}: test samples evaluated after every epoch; default none
 * @param seed    {@code training.seed}: seed of the initial weights (0 = the reference's) and of the shuffle;
 *                default 0
 * @param shuffle {@code training.shuffle}: visit the samples in a new random order every epoch; default false,
 *                the reference's fixed data order
 * @param resize  {@code training.resize}: resize images whose size differs from {@code data.shape} (bilinear)
 *                instead of rejecting them; default false
 * @param limit     {@code training.limit}: read at most this many training samples; default all
 * @param testLimit {@code training.testLimit}: read at most this many test samples; default all (the test set is
 *                  not shortened by {@code limit})
 * @param dataUri   {@code training.data} when it is a URI with a scheme ({@code hdfs://…}, {@code s3a://…},
 *                  {@code file:///…}): a location for Spark ({@code train --spark}), kept as written; {@code data}
 *                  is then empty
 * @param testUri   the same for {@code training.test}
 * @param earlyStopping {@code training.earlyStopping}: stop when the test metric has not improved for its patience
 *                  and keep the best epoch's model; default none
 */
public record TrainingOptions(Optional<Path> data, Optional<Path> test, long seed, boolean shuffle, boolean resize,
                              OptionalInt limit, OptionalInt testLimit, Optional<String> dataUri,
                              Optional<String> testUri, Optional<EarlyStoppingSpec> earlyStopping) {

    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:/.*", Pattern.DOTALL);

    /** The same without locations for Spark and without early stopping. */
    public TrainingOptions(Optional<Path> data, Optional<Path> test, long seed, boolean shuffle, boolean resize,
                           OptionalInt limit, OptionalInt testLimit) {
        this(data, test, seed, shuffle, resize, limit, testLimit, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** The defaults: no data paths, seed 0, data order, no resizing, no limits, no early stopping. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(Optional.empty(), Optional.empty(), 0, false, false, OptionalInt.empty(),
                OptionalInt.empty());
    }

    /** Whether a data location is a URI with a scheme ({@code hdfs://nn/data}, {@code file:///data}), not a path. */
    public static boolean isUri(String location) {
        return URI.matcher(location).matches();
    }
}
