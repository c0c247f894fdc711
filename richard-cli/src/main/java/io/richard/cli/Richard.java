package io.richard.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code richard} command: {@code train}, {@code eval}, {@code predict}, {@code init} and {@code summary},
 * plus the C++ Richard's {@code --train/--eval/--gen} style (see {@link LegacyArgs}).
 *
 * <p>Exit status: 0 on success; 2 for usage, config, data and model errors, reported as one line
 * {@code richard: error: …} without a stack trace (unless {@code --verbose}); 130 and 143 when training was
 * stopped by Ctrl-C or SIGTERM and saved, 3 when it quit without saving ({@link StopControl}); 1 otherwise.
 */
@Command(name = "richard", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, InitCommand.class,
            SummaryCommand.class, ReportCommand.class, ExportCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        description = {"Trains and runs neural-network classifiers (dense, convolutional and max-pooling layers, "
            + "sigmoid output and quadratic cost as the C++ Richard, or softmax and cross-entropy; SGD, momentum or "
            + "Adam) from YAML or JSON configs.", ""},
        footer = {"",
            "Start with:",
            "  richard init > mnist.yaml          a config for the MNIST subset shipped",
            "  richard train mnist.yaml           train it; saves ./mnist.richard",
            "  richard eval mnist.richard DATA    accuracy, per-class scores, confusions",
            "  richard report mnist.richard DATA  the same and the curves, as a web page",
            "",
            "The C++ Richard's options work too:",
            "  richard --train --samples S --config C --network N [--gpu]",
            "  richard --eval --samples S --network N",
            "  richard --gen train",
            "",
            "Exit status: 0 success; 2 bad command line, config, data or model file;",
            "130 / 143 training stopped by Ctrl-C / SIGTERM, model saved; 3 quit without saving;",
            "1 anything else."})
public final class Richard implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        configureLogging(args);
        TrainCommand.handleSignals = true;
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int status = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs the command line with the given output and error writers and returns the exit status, without
     * exiting; what {@link #main} and the tests call.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, System.in, out, err);
    }

    /** {@link #run(String[], PrintWriter, PrintWriter)} with {@code in} as standard input (what {@code -} reads). */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        Input.standardInput(in);
        boolean verbose = has(args, "--verbose", "-v");
        String[] translated;
        try {
            translated = LegacyArgs.translate(args, err);
        } catch (RuntimeException e) {
            return Errors.report(e, err, verbose);
        }
        return commandLine(out, err, verbose).execute(translated);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean verbose) {
        CommandLine cli = new CommandLine(new Richard());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            String name = command.getCommandSpec().qualifiedName();
            String message = Errors.oneLine(e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                message += "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
            }
            err.println("richard: error: " + message + " (see '" + name + " --help')");
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return Errors.USER_ERROR;
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> Errors.report(e, err, verbose));
        return cli;
    }

    private static boolean has(String[] args, String... names) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            for (String name : names) {
                if (arg.equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Sets up SLF4J's simple logger before anything logs: --verbose shows debug messages and ND4J's start-up
     * messages. Library messages stay on standard error (richard's own messages also go to the --log file).
     */
    private static void configureLogging(String[] args) {
        if (has(args, "--verbose", "-v")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            System.setProperty("org.slf4j.simpleLogger.log.org.nd4j", "info");
            System.setProperty("org.slf4j.simpleLogger.log.org.bytedeco", "info");
        }
    }

    /** The version line of {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"richard " + Home.version() + " (ND4J " + Home.nd4jVersion() + ", Java "
                    + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + ")"};
        }
    }
}
