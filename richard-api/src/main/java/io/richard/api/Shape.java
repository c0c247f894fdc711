package io.richard.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The size of a layer's input or output as the reference writes it: {@code [W, H, D]} (width, height, depth or
 * channels). A dense layer of n neurons has shape {@code [n, 1, 1]}. In JSON and YAML a shape is the array
 * {@code [W, H, D]}.
 */
public record Shape(int width, int height, int depth) {

    public Shape {
        if (width <= 0 || height <= 0 || depth <= 0) {
            throw new ConfigException("shape [" + width + ", " + height + ", " + depth
                    + "] is invalid: every dimension must be a positive integer");
        }
        long values = (long) width * height * depth;
        if (values > Integer.MAX_VALUE) {
            throw new ConfigException("shape [" + width + ", " + height + ", " + depth + "] has " + values
                    + " values; at most " + Integer.MAX_VALUE + " per sample are supported");
        }
    }

    /** A flat shape {@code [n, 1, 1]}, the output of a dense layer. */
    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    @JsonCreator
    public static Shape of(int[] whd) {
        if (whd == null || whd.length != 3) {
            throw new ConfigException("a shape must be an array of 3 integers [W, H, D], got "
                    + (whd == null ? "nothing" : whd.length + " value(s)"));
        }
        return new Shape(whd[0], whd[1], whd[2]);
    }

    /** Number of values, W·H·D. */
    public int size() {
        return Math.multiplyExact(Math.multiplyExact(width, height), depth);
    }

    @JsonValue
    public int[] toArray() {
        return new int[] {width, height, depth};
    }

    @Override
    public String toString() {
        return "[" + width + ", " + height + ", " + depth + "]";
    }
}
