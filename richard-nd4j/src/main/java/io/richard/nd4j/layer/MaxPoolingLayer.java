package io.richard.nd4j.layer;

import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Mode;
import io.richard.api.Parameter;
import io.richard.api.Shape;
import io.richard.api.spec.MaxPoolingLayerSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Non-overlapping max pooling over M × N regions (here rW × rH), equations (29)–(33).
 *
 * <p>Vectorised over the mini-batch: the spatial input (N, H, W, C) is regrouped into one row per region and
 * channel, of rH·rW values in scan order (row by row, x ascending). The forward pass takes each row's maximum
 * (29) and, in training, an argmax mask with a single 1 at the first maximum of the row, as the reference breaks
 * ties. The backward pass routes δ through that mask (33).
 */
public final class MaxPoolingLayer implements Layer {

    private final MaxPoolingLayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final int rW;
    private final int rH;

    // Kept from the last training-mode forward pass for backward.
    private int inputRank;
    private INDArray mask;

    public MaxPoolingLayer(MaxPoolingLayerSpec spec, Shape inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.rW = spec.regionSize().width();
        this.rH = spec.regionSize().height();
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        INDArray regions = regions(Layouts.spatial(input, inputShape));
        INDArray z = regions.max(1);                                      // (29) z_{x,y,z} = max_{i,j} a_{x+i,y+j,z}
        INDArray a = z.reshape('c', input.size(0), outputShape.height(), outputShape.width(), outputShape.depth());
        if (mode == Mode.TRAINING) {
            this.inputRank = input.rank();
            this.mask = firstMaximumMask(regions);
        }
        return a;                                                         // (29) a = z, no activation
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        INDArray delta = Layouts.spatial(gradOutput, outputShape);        // (31), (32) δ = ∇a C
        long n = delta.size(0);
        // (33) ∂C/∂a^{l-1} = δ at the position that held the maximum of its region, 0 elsewhere
        INDArray gradRegions = mask.mulColumnVector(delta.reshape(-1, 1));
        INDArray gradInput = gradRegions
                .reshape('c', n, outputShape.height(), outputShape.width(), outputShape.depth(), rH, rW)
                .permute(0, 1, 4, 2, 5, 3).dup('c')
                .reshape('c', n, inputShape.height(), inputShape.width(), inputShape.depth());
        return Layouts.as(gradInput, inputRank, inputShape);
    }

    /** One row per (sample, region, channel), holding the region's rH·rW values in scan order. */
    private INDArray regions(INDArray spatial) {
        long n = spatial.size(0);
        return spatial
                .reshape('c', n, outputShape.height(), rH, outputShape.width(), rW, inputShape.depth())
                .permute(0, 1, 3, 5, 2, 4).dup('c')
                .reshape('c', n * outputShape.size(), (long) rH * rW);
    }

    /** 1 at the first maximum of each row (the reference's tie rule), 0 elsewhere. */
    private static INDArray firstMaximumMask(INDArray regions) {
        INDArray argmax = Nd4j.argMax(regions, 1).castTo(regions.dataType()).reshape(-1, 1);
        INDArray columns = Nd4j.arange(regions.columns()).castTo(regions.dataType()).reshape(1, -1);
        return Nd4j.zeros(regions.dataType(), regions.shape())
                .addiColumnVector(argmax).subiRowVector(columns).eq(0.0).castTo(regions.dataType());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public MaxPoolingLayerSpec spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }
}
