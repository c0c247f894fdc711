package io.richard.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of the metrics file {@code MODEL.metrics.jsonl}: what an epoch did.
 *
 * @param epoch        1-based epoch number
 * @param epochs       epochs planned
 * @param samples      samples trained on in the epoch
 * @param meanCost     mean per-sample cost over the epoch (training-mode outputs, before each update)
 * @param testAccuracy accuracy on the test set after the epoch (absent without a test set)
 * @param testCost     mean cost on the test set after the epoch (absent without a test set)
 * @param seconds      wall-clock time of the epoch's training (without the test evaluation)
 * @param stopped      true when the epoch was cut short (Ctrl-C, SIGTERM)
 * @param bestEpoch    with early stopping, the 1-based epoch of the best test result so far (this one or an earlier
 *                     one): the last record names the epoch whose model is saved; absent without early stopping
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"epoch", "epochs", "samples", "meanCost", "testAccuracy", "testCost", "seconds", "stopped",
    "bestEpoch"})
public record EpochRecord(int epoch, int epochs, int samples, Double meanCost, Double testAccuracy, Double testCost,
                          double seconds, boolean stopped, Integer bestEpoch) {

    /** A record without early stopping. */
    public EpochRecord(int epoch, int epochs, int samples, Double meanCost, Double testAccuracy, Double testCost,
                       double seconds, boolean stopped) {
        this(epoch, epochs, samples, meanCost, testAccuracy, testCost, seconds, stopped, null);
    }
}
