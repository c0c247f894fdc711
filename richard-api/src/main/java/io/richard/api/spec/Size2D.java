package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.richard.api.ConfigException;

/** A width × height pair, written {@code [W, H]} as the reference's {@code kernelSize} and {@code regionSize}. */
public record Size2D(int width, int height) {

    public Size2D {
        if (width <= 0 || height <= 0) {
            throw new ConfigException("[" + width + ", " + height + "] is invalid: width and height must be positive");
        }
    }

    @JsonCreator
    public static Size2D of(int[] wh) {
        if (wh == null || wh.length != 2) {
            throw new ConfigException("expected an array of 2 integers [W, H], got "
                    + (wh == null ? "nothing" : wh.length + " value(s)"));
        }
        return new Size2D(wh[0], wh[1]);
    }

    @JsonValue
    public int[] toArray() {
        return new int[] {width, height};
    }

    /** As a config writes it: {@code [W, H]}. */
    public String asConfigValue() {
        return "[" + width + ", " + height + "]";
    }

    @Override
    public String toString() {
        return width + "×" + height;
    }
}
