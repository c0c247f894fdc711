package io.richard.nd4j.kernel;

import io.richard.api.Activation;
import io.richard.api.Mode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The operations of one layer whose weighted sums are linear in its input and its parameters: a dense layer (the
 * product W a of (4)) or a convolution (the correlation A ⋆ W of (24)). Made by {@link Kernels} for the layer's
 * shapes; one per layer.
 *
 * <p>Training passes run on one thread: the training-mode {@link #weightedSums} and {@link #activate} keep the
 * layer's input and activations for the backward methods, which refer to the last training pass. Inference-mode
 * calls keep nothing and may run on several threads at once. Arrays returned may be reused by the next call of
 * the same mode (and thread); the δ returned by {@link #delta} is for the other backward methods only, in a layout
 * of the kernel's choosing.
 */
public interface LinearKernel {

    /**
     * z = W a<sup>l−1</sup> + b for every sample: (4) for a dense layer, (24) for a convolution. Takes the input in
     * the layout the previous kernel object returned its activations (or a flat network input).
     */
    INDArray weightedSums(INDArray aPrev, INDArray W, INDArray b, Mode mode);

    /** a = f(z) for the z just returned by {@link #weightedSums}, in place: (5) or (25). */
    INDArray activate(Activation f, INDArray z, Mode mode);

    /** δ = ∇a C ⊙ f'(z) of the last training pass, from ∇a C laid out as its activations were: (8) or (26). */
    INDArray delta(Activation f, INDArray gradA);

    /** The weight gradient summed over the mini-batch, written into {@code gradW}: (9) or (28). */
    void weightGradient(INDArray delta, INDArray gradW);

    /** The bias gradient ∂C/∂b = Σ δ over the mini-batch (and the positions), written into {@code gradB}: (10). */
    void biasGradient(INDArray delta, INDArray gradB);

    /** ∇a<sup>l−1</sup> C, in the layout the input of the last training pass came in: (13) or (27). */
    INDArray inputGradient(INDArray delta, INDArray W);
}
