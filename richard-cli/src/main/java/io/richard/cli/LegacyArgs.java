package io.richard.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import io.richard.api.Quote;

/**
 * The C++ Richard's command line, mapped onto the commands:
 * <pre>
 * richard --train --samples S --config C --network N [--gpu] [--log L]  →  richard train C --data S --model N …
 * richard --train … --network N --init                                  →  richard train C … --model N --init N
 * richard --eval --samples S --network N [--gpu] [--log L]              →  richard eval N S …
 * richard --gen train                                                   →  richard init dense --format json
 * </pre>
 * with the short forms {@code -t -e -g -s -c -n -l -x}, {@code --opt=value} forms, and {@code -h}. Options the
 * mode does not use are warned about, as the reference does; options it does not know are passed on to the
 * command (so {@code --epochs 2} or {@code --threads 1} work too). {@code --init} (not the reference's) continues
 * training the existing network file {@code --network N} and writes the result back to it, in its own format;
 * {@code --init MODEL} starts from another model.
 */
final class LegacyArgs {

    private static final Set<String> MODES = Set.of("--train", "-t", "--eval", "-e", "--gen", "-g");

    private LegacyArgs() {
    }

    /**
     * How messages name a command's {@code option} (or argument) when it came from the reference's command line
     * ({@code referenceNames}): by the reference's option the user typed, e.g. {@code -o} and {@code MODEL} as
     * {@code --network}; otherwise as it is.
     */
    static String named(String option, boolean referenceNames) {
        if (!referenceNames) {
            return option;
        }
        return switch (option) {
            case "-o", "MODEL" -> "--network";
            case "CONFIG" -> "--config";
            case "--data", "DATA" -> "--samples";
            default -> option;
        };
    }

    /** Whether the arguments use the reference's style (a mode flag, not a command). */
    static boolean applies(String[] args) {
        for (String arg : args) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (MODES.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The equivalent command line, or the arguments unchanged if they do not use the reference's style.
     *
     * @throws UsageException for the reference's usage errors (no or several modes, a missing path)
     */
    static String[] translate(String[] args, PrintWriter err) {
        if (args.length == 0 || !applies(args) || isCommand(args[0])) {
            return args;
        }
        Set<String> modes = new LinkedHashSet<>();
        String gen = null;
        String samples = null;
        String config = null;
        String network = null;
        String log = null;
        String init = null;
        boolean initFromNetwork = false;
        boolean gpu = false;
        boolean help = false;
        List<String> passOn = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                name = arg.substring(0, arg.indexOf('='));
                inline = arg.substring(arg.indexOf('=') + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "-t", "--train" -> modes.add("train");
                case "-e", "--eval" -> modes.add("eval");
                case "-x", "--gpu" -> gpu = true;
                case "-g", "--gen" -> {
                    modes.add("gen");
                    gen = inline != null ? inline : value(args, ++i, name);
                }
                case "-s", "--samples" -> samples = inline != null ? inline : value(args, ++i, name);
                case "-c", "--config" -> config = inline != null ? inline : value(args, ++i, name);
                case "-n", "--network" -> network = inline != null ? inline : value(args, ++i, name);
                case "-l", "--log" -> log = inline != null ? inline : value(args, ++i, name);
                case "--init" -> {
                    if (inline != null) {
                        init = inline;
                    } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        init = args[++i];
                    } else {
                        initFromNetwork = true;         // --init alone: start from the network file --network names
                    }
                }
                default -> passOn.add(arg);
            }
        }
        if (modes.size() != 1) {
            throw new UsageException("expected exactly 1 of the following arguments: --train, --eval, --gen"
                    + " (or use the commands train, eval, init; see richard --help)");
        }
        String mode = modes.iterator().next();
        List<String> out = new ArrayList<>();
        switch (mode) {
            case "train" -> {
                if (!help) {
                    require(samples, "--samples", "--train");
                    require(config, "--config", "--train");
                    require(network, "--network", "--train");
                }
                out.add("train");
                out.add("--reference-option-names");
                if (config != null) {
                    out.add(config);
                }
                if (samples != null) {
                    out.add("--data");
                    out.add(samples);
                }
                if (network != null) {
                    out.add("--model");
                    out.add(network);
                }
                if (initFromNetwork && network != null) {
                    if (!Files.exists(Path.of(network))) {
                        throw new UsageException("--init starts from the network file given with --network, but "
                                + network + " does not exist; leave --init out to train a new network, or give"
                                + " --init MODEL");
                    }
                    init = network;
                }
                if (init != null) {
                    out.add("--init");
                    out.add(init);
                }
            }
            case "eval" -> {
                if (!help) {
                    require(network, "--network", "--eval");
                    require(samples, "--samples", "--eval");
                }
                unused(err, config, "--config", " (evaluation uses the config stored in the network file)");
                unused(err, init != null || initFromNetwork ? "" : null, "--init", "");
                out.add("eval");
                out.add("--reference-option-names");
                if (network != null) {
                    out.add(network);
                }
                if (samples != null) {
                    out.add(samples);
                }
            }
            default -> {
                if (!"train".equals(gen)) {
                    throw new UsageException("Expected app type to be one of ['train'], got " + Quote.single(gen));
                }
                unused(err, samples, "--samples", "");
                unused(err, config, "--config", "");
                unused(err, network, "--network", "");
                unused(err, init != null || initFromNetwork ? "" : null, "--init", "");
                unused(err, gpu ? "" : null, "--gpu", "");
                gpu = false;
                out.add("init");
                out.add("dense");
                out.add("--format");
                out.add("json");
            }
        }
        if (gpu) {
            out.add("--backend");
            out.add("cuda");
        }
        if (log != null) {
            out.add("--log");
            out.add(log);
        }
        if (help) {
            out.add("--help");
        }
        out.addAll(passOn);
        return out.toArray(new String[0]);
    }

    private static boolean isCommand(String arg) {
        return Set.of("train", "eval", "predict", "init", "summary", "help").contains(arg);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("-") && args[i].length() > 1) {
            throw new UsageException("option " + option + " needs a value");
        }
        return args[i];
    }

    private static void require(String value, String option, String mode) {
        if (value == null) {
            throw new UsageException(mode + " needs " + option
                    + (mode.equals("--train") ? " (--train needs --samples, --config and --network)"
                    : " (--eval needs --samples and --network)"));
        }
    }

    private static void unused(PrintWriter err, String value, String option, String why) {
        if (value != null) {
            err.println("richard: warning: unused option " + Quote.single(option) + why);
            err.flush();
        }
    }
}
