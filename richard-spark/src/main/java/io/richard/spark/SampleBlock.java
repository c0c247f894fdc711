package io.richard.spark;

import java.io.Serializable;

/**
 * Consecutive samples of one partition, read and normalised on an executor: what the data's RDD holds. A block
 * is at most {@link #MAX_VALUES} values (a few MB), so that a partition of any size is many small Java objects;
 * a part whose reading failed is one block holding the message instead (the driver reports it, once, without
 * Spark retrying a task that would fail the same way again).
 *
 * @param values the samples' W·H·D normalised values each, one sample after the other (x fastest, then y, then
 *               channel), or null for an error
 * @param labels the class index of each sample, or null for an error
 * @param error  what is wrong, naming the file and the line or record ("FILE:LINE: …"), or null
 */
record SampleBlock(float[] values, int[] labels, String error) implements Serializable {

    /** Values per block: 4 M floats, 16 MB. */
    static final int MAX_VALUES = 1 << 22;

    static SampleBlock of(float[] values, int[] labels) {
        return new SampleBlock(values, labels, null);
    }

    static SampleBlock failed(String error) {
        return new SampleBlock(null, null, error);
    }

    int size() {
        return labels == null ? 0 : labels.length;
    }
}
