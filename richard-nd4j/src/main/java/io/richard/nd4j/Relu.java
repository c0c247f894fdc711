package io.richard.nd4j;

import io.richard.api.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The rectifier R(z) = max(0, z) of (23), with R'(z) = 1 for z &gt; 0 and 0 otherwise, as (26) states (the
 * reference's code uses R'(0) = 1; we follow the seed).
 */
public final class Relu implements Activation {

    public static final Relu INSTANCE = new Relu();

    private Relu() {
    }

    @Override
    public INDArray apply(INDArray z) {
        return Transforms.relu(z, true);                      // (23)
    }

    @Override
    public INDArray derivative(INDArray z, INDArray a) {
        return z.gt(0.0).castTo(z.dataType());               // (26)
    }

    @Override
    public String name() {
        return "relu";
    }
}
