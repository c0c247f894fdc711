package io.richard.nd4j.train;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.richard.api.ConfigException;
import io.richard.api.Quote;

/**
 * How often training writes a checkpoint: every N epochs or every N mini-batches.
 *
 * <p>Written {@code N} or {@code Ne} / {@code Nepochs} for epochs and {@code Nb} / {@code Nbatches} for
 * mini-batches, e.g. {@code 2} (every 2 epochs) or {@code 500b} (every 500 mini-batches).
 *
 * @param count  N, at least 1
 * @param epochs true for every N epochs, false for every N mini-batches
 */
public record CheckpointInterval(int count, boolean epochs) {

    private static final Pattern SYNTAX = Pattern.compile(
            "(\\d{1,9})\\s*(|e|epoch|epochs|b|batch|batches|mini-batch|mini-batches)");

    public CheckpointInterval {
        if (count < 1) {
            throw new ConfigException("a checkpoint interval must be at least 1, got " + count);
        }
    }

    public static CheckpointInterval everyEpochs(int n) {
        return new CheckpointInterval(n, true);
    }

    public static CheckpointInterval everyBatches(int n) {
        return new CheckpointInterval(n, false);
    }

    /**
     * Parses {@code N}, {@code Ne}, {@code Nepochs}, {@code Nb} or {@code Nbatches}.
     *
     * @throws ConfigException saying what is expected
     */
    public static CheckpointInterval parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1).length() > 9 || Integer.parseInt(m.group(1)) < 1) {
            throw new ConfigException("checkpoint interval " + Quote.single(text) + " is not valid; expected N epochs"
                    + " (e.g. 2 or 2e) or N mini-batches (e.g. 500b), 1 <= N <= 999,999,999");
        }
        return new CheckpointInterval(Integer.parseInt(m.group(1)), !m.group(2).startsWith("b")
                && !m.group(2).startsWith("mini"));
    }

    @Override
    public String toString() {
        return count + (epochs ? (count == 1 ? " epoch" : " epochs") : (count == 1 ? " mini-batch" : " mini-batches"));
    }
}
