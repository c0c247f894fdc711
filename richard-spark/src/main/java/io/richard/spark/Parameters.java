package io.richard.spark;

import java.util.List;
import io.richard.api.Layer;
import io.richard.api.Parameter;
import io.richard.nd4j.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network's parameters as one {@code float[]}, what travels between the driver and the executors (an INDArray
 * would too with Java serialisation, but not with Kryo, and its memory is off the heap): every layer's
 * parameters in order, each in C order.
 */
final class Parameters {

    private Parameters() {
    }

    static int count(Network network) {
        long n = network.parameterCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a network of " + n + " parameters is too large to send as one array");
        }
        return (int) n;
    }

    /** A copy of the parameters. */
    static float[] of(Network network) {
        float[] values = new float[count(network)];
        int at = 0;
        for (Layer layer : network.layers()) {
            for (Parameter p : layer.parameters()) {
                INDArray value = p.value();
                INDArray copy = (value.dataType() == DataType.FLOAT ? value : value.castTo(DataType.FLOAT)).dup('c');
                int n = (int) copy.length();
                copy.data().asNioFloat().get(values, at, n);            // in bulk (asFloat() reads one by one)
                at += n;
            }
        }
        return values;
    }

    /** Sets the network's parameters to {@code values} (in the order of {@link #of}). */
    static void assign(Network network, float[] values) {
        if (values.length != count(network)) {
            throw new IllegalArgumentException("got " + values.length + " parameter values for a network of "
                    + count(network));
        }
        int at = 0;
        for (Layer layer : network.layers()) {
            List<Parameter> parameters = layer.parameters();
            for (Parameter p : parameters) {
                INDArray value = p.value();
                int n = (int) value.length();
                INDArray part = Nd4j.create(DataType.FLOAT, value.shape(), 'c');
                part.data().asNioFloat().put(values, at, n);
                value.assign(value.dataType() == DataType.FLOAT ? part : part.castTo(value.dataType()));
                at += n;
            }
        }
    }
}
