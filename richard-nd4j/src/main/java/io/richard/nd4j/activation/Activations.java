package io.richard.nd4j.activation;

import io.richard.api.Activation;

/** The activation a description names: {@code sigmoid}, {@code relu} or {@code softmax}. */
public final class Activations {

    private Activations() {
    }

    /**
     * The activation of that name.
     *
     * @throws IllegalArgumentException for another name
     */
    public static Activation of(String name) {
        return switch (name) {
            case "sigmoid" -> Sigmoid.INSTANCE;
            case "relu" -> Relu.INSTANCE;
            case "softmax" -> Softmax.INSTANCE;
            default -> throw new IllegalArgumentException("no activation is called '" + name + "' (sigmoid, relu,"
                    + " softmax)");
        };
    }
}
