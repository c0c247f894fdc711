package io.richard.nd4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.data.Batch;
import io.richard.nd4j.Network;
import io.richard.nd4j.RowSplit;
import io.richard.nd4j.kernel.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradients of a mini-batch, its rows split between threads: part p of the batch runs forward and backward on
 * its own copy of the network ({@link Network#replica}: the same W and b, its own gradients, work arrays and
 * dropout masks) on its own thread with one BLAS thread (part 0 on the network itself, on the calling thread);
 * then the parts' gradients are added into the network's. As the seed's gradients are sums over the samples of a
 * mini-batch ((9), (10)), the sum of the parts' sums is the gradient of the whole batch, up to float rounding.
 * With one thread, or a batch of fewer rows than threads, the whole batch runs on the network itself.
 */
final class DataParallelStep {

    private final Network network;
    private final List<Part> parts;                  // parts.get(0) trains `network` itself
    private RowSplit split;                          // the parts' threads, between open and close

    DataParallelStep(Network network, int threads) {
        this.network = network;
        this.parts = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            parts.add(new Part(p == 0 ? network : network.replica(p)));
        }
    }

    /** Takes the threads (and sets BLAS to one thread per part when there are several) until {@link #close}. */
    void open() {
        split = RowSplit.open(parts.size());
    }

    /** Gives the threads back and restores the BLAS thread count. */
    void close() {
        if (split != null) {
            split.close();
            split = null;
        }
    }

    /**
     * Forward, cost and backward over every sample of {@code batch} in the training pass {@code step} (its epoch and
     * mini-batch index decide the dropout masks): leaves ∇W C and ∇b C summed over the batch in the network's
     * parameters and returns the summed cost. Every part ends before this returns.
     */
    double forwardAndBackward(Batch batch, Mode step) {
        if (parts.size() == 1 || batch.size() < parts.size()) {
            return parts.get(0).run(batch.x(), batch.y(), step);
        }
        double cost = 0;
        for (double part : split.map(parts.size(), batch.size(),
                (p, from, to) -> parts.get(p).run(batch, from, to, step))) {
            cost += part;
        }
        List<Layer> layers = network.layers();
        for (int p = 1; p < parts.size(); p++) {
            List<Layer> replica = parts.get(p).network.layers();
            for (int l = 0; l < layers.size(); l++) {
                List<Parameter> sums = layers.get(l).parameters();
                List<Parameter> more = replica.get(l).parameters();
                for (int i = 0; i < sums.size(); i++) {
                    Blas.axpy(1.0, more.get(i).gradient(), sums.get(i).gradient());  // gradients are sums over samples
                }
            }
        }
        return cost;
    }

    /** One part of a mini-batch: a network (or a replica of it) with its own input and loss-gradient arrays. */
    private static final class Part {
        private final Network network;
        private INDArray x;
        private INDArray y;
        private INDArray gradOutput;                 // ∇a C of the output layer, reused across mini-batches

        Part(Network network) {
            this.network = network;
        }

        /** Rows {@code from} to {@code to} − 1 of the mini-batch: copied into this part's arrays, then trained. */
        double run(Batch batch, long from, long to, Mode step) {
            x = rows(batch.x(), from, to, x);
            y = rows(batch.y(), from, to, y);
            return run(x, y, step);
        }

        /**
         * Forward in the training pass {@code step}, cost, and (when the cost is finite) backward; the gradients are
         * left in the layers' parameters. Returns the summed cost of the samples.
         */
        double run(INDArray x, INDArray y, Mode step) {
            INDArray a = network.forward(x, step);                               // (4), (5) layer by layer
            INDArray target = y.dataType() == a.dataType() ? y : y.castTo(a.dataType());
            if (gradOutput == null || !Arrays.equals(gradOutput.shape(), a.shape())) {
                gradOutput = a.ulike();
            }
            double cost = network.outputGradient(a, target, gradOutput);         // (17) ∇a C and (15), summed
            if (Double.isFinite(cost)) {
                network.backward(gradOutput);                                    // into (14), then layer by layer
            }
            return cost;
        }

        private static INDArray rows(INDArray all, long from, long to, INDArray reused) {
            INDArray target = reused != null && reused.rows() == to - from && reused.dataType() == all.dataType()
                    ? reused : Nd4j.create(all.dataType(), to - from, all.columns());
            return Blas.copyRows(all, from, target);
        }
    }
}
