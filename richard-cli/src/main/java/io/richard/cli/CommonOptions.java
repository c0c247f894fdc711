package io.richard.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes: messages and the log file. */
final class CommonOptions {

    @Option(names = {"-v", "--verbose"}, description = "Show debug messages and, on errors, the stack trace.")
    boolean verbose;

    @Option(names = {"-l", "--log"}, paramLabel = "FILE",
            description = "Also append every message (with a time stamp) to FILE.")
    Path log;
}
