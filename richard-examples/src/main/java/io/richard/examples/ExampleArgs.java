package io.richard.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The optional command-line arguments the examples share, as {@code --name value} pairs:
 * {@code --data DIR} (MNIST IDX files, default: the subset shipped in {@code richard-examples/data/mnist}),
 * {@code --epochs N}, {@code --limit N} (training samples), {@code --test-limit N} (test samples) and
 * {@code --model FILE}.
 */
public final class ExampleArgs {

    /** Where the embedded MNIST subset lives, relative to this module and to the repository root. */
    private static final Path[] SHIPPED_MNIST = {Path.of("data", "mnist"), Path.of("richard-examples", "data", "mnist")};

    private final Map<String, String> values = new HashMap<>();

    private ExampleArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs (--data DIR, --epochs N, --limit N,"
                        + " --test-limit N, --model FILE), got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    public static ExampleArgs parse(String... args) {
        return new ExampleArgs(args);
    }

    /** {@code --data}, or the shipped MNIST subset found from the working directory (repository root or module). */
    public Path dataDir() {
        if (values.containsKey("data")) {
            return Path.of(values.get("data"));
        }
        for (Path candidate : SHIPPED_MNIST) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("cannot find the shipped MNIST subset (data/mnist or"
                + " richard-examples/data/mnist) from " + Path.of("").toAbsolutePath() + "; pass --data DIR");
    }

    public int integer(String name, int defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a non-negative integer, got '" + value + "'");
        }
    }

    public int epochs(int defaultValue) {
        return integer("epochs", defaultValue);
    }

    /** {@code --limit}: how many training samples to read; all of them by default. */
    public int limit() {
        return positive("limit");
    }

    /** {@code --test-limit}: how many test samples to read; all of them by default. */
    public int testLimit() {
        return positive("test-limit");
    }

    private int positive(String name) {
        int n = integer(name, Integer.MAX_VALUE);
        if (n == 0) {
            throw new IllegalArgumentException("--" + name + " must be at least 1");
        }
        return n;
    }

    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }
}
