package io.richard.nd4j.kernel;

import io.richard.api.Mode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The operations of one max-pooling layer. Made by {@link Kernels} for the layer's shapes; one per layer. Training
 * passes run on one thread; inference-mode calls keep nothing and may run on several threads at once.
 */
public interface PoolingKernel {

    /**
     * (29) z = max<sub>i,j</sub> a<sub>x+i,y+j</sub> over every region of every channel; in training mode it
     * records where each region's first maximum (in scan order: row by row, x ascending) lies, the argmax mask.
     */
    INDArray max(INDArray aPrev, Mode mode);

    /**
     * (33) ∂C/∂a<sup>l−1</sup>: δ of each region at the position of its first maximum in the last training pass,
     * 0 elsewhere; in the layout the input of that pass came in.
     */
    INDArray route(INDArray delta);
}
