package io.richard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example networks, richard-examples/configs/mnist-{dense,cnn}.yaml, as the build copies them into the jar: what
 * {@code init} prints and {@code bench} times, with no file of the repository needed at run time.
 */
final class Examples {

    /** The example networks. */
    enum Kind { dense, cnn }

    /** The comment lines that say how to run the example from the repository root. */
    private static final Pattern REPOSITORY_USAGE = Pattern.compile("(?m)^# From the repository root:\\n(#   \\./richard .*\\n)+");
    /** training.data and training.test, which name the repository's MNIST subset relative to the config's folder. */
    private static final Pattern DATA_PATHS = Pattern.compile("(?m)^(  (?:data|test): )\"\\.\\./data/mnist\"");

    private Examples() {
    }

    /** The example config of {@code kind} as shipped (its data paths relative to richard-examples/configs). */
    static String text(Kind kind) {
        String name = "examples/mnist-" + kind.name() + ".yaml";
        try (InputStream in = Examples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the example config " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example config of {@code kind} read as a training config (its data paths are not used). */
    static TrainingConfig config(Kind kind) {
        return ConfigReader.parse(text(kind), "mnist-" + kind.name() + ".yaml (the example shipped with richard)",
                Path.of("."));
    }

    /**
     * The example config of {@code kind} for use anywhere: how to run it in words instead of repository paths, and
     * training.data and training.test set to {@code mnist} (quoted for YAML).
     */
    static String portable(Kind kind, String mnist) {
        String text = text(kind);
        Matcher usage = REPOSITORY_USAGE.matcher(text);
        Matcher data = DATA_PATHS.matcher(text);
        if (!usage.find() || !data.find()) {
            throw new IllegalStateException("the example config " + kind + " no longer has the lines init rewrites");
        }
        String quoted = "\"" + mnist.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        text = usage.replaceFirst(Matcher.quoteReplacement("# Train it:      richard train THIS_FILE        (progress,"
                + " then the model in ./THIS_FILE_NAME.richard)\n# Evaluate it:   richard eval MODEL DATA\n"));
        return DATA_PATHS.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(quoted));
    }
}
