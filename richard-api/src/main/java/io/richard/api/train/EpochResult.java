package io.richard.api.train;

/**
 * What one training epoch did.
 *
 * @param epoch    0-based epoch index
 * @param epochs   total epochs of the run
 * @param samples  samples processed
 * @param meanCost mean per-sample quadratic cost (15) over the epoch, measured on the training-mode outputs
 *                 before each mini-batch's update, as the reference reports it
 * @param seconds  wall-clock time of the epoch
 * @param stopped  true when the epoch ended early because a stop was requested
 */
public record EpochResult(int epoch, int epochs, int samples, double meanCost, double seconds, boolean stopped) {
}
