package io.richard.api;

/**
 * How text that came from a user's file or command line appears in a message: on one line, with control
 * characters escaped, and never longer than {@value #MAX_VALUE} characters, however long the value was (a 10 MB
 * CSV label is shown by its first characters and its length). Every message that quotes a value goes through
 * here; {@link #message(String)} bounds a whole message the same way, for text no one quoted (a library's).
 */
public final class Quote {

    /** The longest a quoted value is shown, in characters, before it is shortened. */
    public static final int MAX_VALUE = 60;
    /** The longest a whole message is shown, in characters. */
    public static final int MAX_MESSAGE = 2000;

    private static final int KEEP_VALUE = 40;

    private Quote() {
    }

    /** {@code 'value'}, shortened and escaped; {@code null} gives {@code null} unquoted. */
    public static String single(CharSequence value) {
        return value == null ? "null" : "'" + text(value) + "'";
    }

    /** {@code "value"}, shortened and escaped; {@code null} gives {@code null} unquoted. */
    public static String dbl(CharSequence value) {
        return value == null ? "null" : "\"" + text(value) + "\"";
    }

    /**
     * The value on one line, at most {@value #MAX_VALUE} characters plus a count: {@code abc…xyz} stays whole,
     * a longer one becomes its first 40 characters, {@code …} and {@code (10,485,760 characters)}.
     */
    public static String text(CharSequence value) {
        return shorten(value, MAX_VALUE, KEEP_VALUE);
    }

    /** The value on one line, at most {@code max} characters plus a count (for a key path, a file name). */
    public static String text(CharSequence value, int max) {
        return shorten(value, max, Math.max(1, max * 2 / 3));
    }

    /**
     * A whole message on one line and at most {@value #MAX_MESSAGE} characters (a longer one keeps its start,
     * which names the file and the problem, and says how much was left out).
     */
    public static String message(String message) {
        if (message == null) {
            return "unknown error";
        }
        String flat = message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        return shorten(flat, MAX_MESSAGE, MAX_MESSAGE - 60);
    }

    private static String shorten(CharSequence value, int max, int keep) {
        int length = value.length();
        boolean cut = length > max;
        int end = cut ? keep : length;
        if (cut && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;                                                   // do not split a character in two
        }
        StringBuilder shown = new StringBuilder(end + 32);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == '\u2028' || c == '\u2029') {
                        shown.append(String.format("\\u%04x", (int) c));
                    } else {
                        shown.append(c);
                    }
                }
            }
        }
        if (cut) {
            shown.append("… (").append(String.format(java.util.Locale.ROOT, "%,d", length)).append(" characters)");
        }
        return shown.toString();
    }
}
