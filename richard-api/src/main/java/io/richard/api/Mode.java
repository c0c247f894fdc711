package io.richard.api;

/** Whether a forward pass is part of training (keeps what backward needs, applies dropout) or inference. */
public enum Mode {
    /** Keep z, a and masks for the backward pass; apply dropout. */
    TRAINING,
    /** Pure function of the input and parameters: no state is written, safe to call from several threads. */
    INFERENCE
}
