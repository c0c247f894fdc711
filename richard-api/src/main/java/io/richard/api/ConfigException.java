package io.richard.api;

import java.util.List;

/**
 * A network description or training config that cannot be used: names the field and what was expected. A
 * description with several problems gives one exception holding one line per problem ({@link #lines()}), in the
 * order they are written in the file.
 */
public class ConfigException extends RichardException {
    private static final long serialVersionUID = 1L;

    private final List<String> lines;

    public ConfigException(String message) {
        super(message);
        this.lines = null;
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.lines = null;
    }

    /**
     * Several problems, one line each; the message is the lines joined by newlines.
     *
     * @param problems at least one
     */
    public ConfigException(List<ConfigException> problems) {
        super(join(problems), problems.get(0));
        this.lines = problems.stream().flatMap(p -> p.lines().stream()).toList();
    }

    private static String join(List<ConfigException> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems to report");
        }
        return String.join("\n", problems.stream().flatMap(p -> p.lines().stream()).toList());
    }

    /** One line per problem: the message itself when there is one. */
    public List<String> lines() {
        return lines != null ? lines : List.of(String.valueOf(getMessage()));
    }
}
