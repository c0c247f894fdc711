package io.richard.api.train;

import io.richard.api.RichardException;

/**
 * Training produced a cost or parameters that are not finite numbers (NaN or ±∞): the run cannot continue. The
 * message names the epoch, the mini-batch and the layer where it was detected and suggests what to change
 * (usually a lower learning rate); no parameter that is not finite is ever saved.
 */
public class TrainingDivergedException extends RichardException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final String layer;

    /**
     * @param epoch the 0-based epoch
     * @param batch the 0-based mini-batch index within the epoch
     * @param layer the layer blamed, as a config path (e.g. {@code hiddenLayers[0]}), or null if none could be
     */
    public TrainingDivergedException(String message, int epoch, int batch, String layer) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
        this.layer = layer;
    }

    /** The same problem with more advice appended to the message (for example which checkpoint is kept). */
    public TrainingDivergedException withAdvice(String advice) {
        TrainingDivergedException e = new TrainingDivergedException(getMessage() + advice, epoch, batch, layer);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The 0-based epoch in which the problem was detected. */
    public int epoch() {
        return epoch;
    }

    /** The 0-based index, within its epoch, of the mini-batch in which the problem was detected. */
    public int batch() {
        return batch;
    }

    /** The config path of the layer blamed, e.g. {@code hiddenLayers[0]} or {@code outputLayer}; null if none. */
    public String layer() {
        return layer;
    }
}
