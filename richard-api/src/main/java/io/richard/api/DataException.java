package io.richard.api;

/** Data that cannot be read: names the file (and line or record) and what was expected. */
public class DataException extends RichardException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
