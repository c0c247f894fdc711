package io.richard.spark;

/**
 * What one round of parameter averaging did.
 *
 * @param epoch      the 0-based epoch
 * @param round      the 0-based round within the epoch
 * @param rounds     rounds the epoch has ({@code ceil(mini-batches of the largest partition / averageEvery)})
 * @param batches    mini-batches each partition trained in this round (at most {@code averageEvery}; fewer at
 *                   the end of an epoch and for partitions with fewer samples)
 * @param partitions partitions that trained in this round (their results were averaged)
 * @param samples    samples trained on in this round, all partitions together
 * @param meanCost   mean per-sample cost of those samples (training-mode outputs, before each update)
 * @param seconds    wall-clock time of the round: broadcast, the partitions' training, collecting and averaging
 * @param training   the longest time a partition's task spent training its mini-batches (the round's compute;
 *                   {@code seconds − training} is what the round spent on Spark and the network)
 * @param bytes      parameter bytes the round moved: the broadcast to each partition that trained and its result
 *                   back (2 × parameters × 4 bytes × partitions)
 */
public record RoundResult(int epoch, int round, int rounds, int batches, int partitions, int samples,
                          double meanCost, double seconds, double training, long bytes) {
}
