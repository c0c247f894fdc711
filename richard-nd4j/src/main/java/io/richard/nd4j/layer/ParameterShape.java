package io.richard.nd4j.layer;

import java.util.Arrays;

/** The name and shape of one parameter of a layer, e.g. {@code W} (320, 784). */
public record ParameterShape(String name, long[] shape) {

    /** Number of values. */
    public long length() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ParameterShape p && p.name.equals(name) && Arrays.equals(p.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
