package io.richard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.richard.nd4j.io.OutputFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import io.richard.api.Quote;

/** {@code richard init [dense|cnn]}: prints an example config (the reference's {@code --gen train}). */
@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        versionProvider = Richard.Version.class,
        description = {
            "Prints a commented example config (the reference's --gen train).",
            "",
            "dense (default): the reference README's MNIST network 784-320-64-10; cnn: conv 32 3×3, pool 2×2, "
                + "conv 64 4×4, pool 2×2, dense 64, output 10. Its training.data points to the MNIST subset shipped "
                + "with richard, so",
            "",
            "  richard init > my.yaml && richard train my.yaml",
            "",
            "trains right away. --format json prints the reference's JSON config (without comments and without "
                + "the training section), like the C++ Richard's --gen train.",
            ""})
final class InitCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "dense|cnn", defaultValue = "dense",
            description = "Which example. Default: ${DEFAULT-VALUE}.")
    Examples.Kind kind;

    @Option(names = "--format", paramLabel = "yaml|json", defaultValue = "yaml",
            description = "yaml (commented, default) or json (the reference's format).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the config to FILE instead of standard output (its data path is then relative to "
                    + "FILE's folder; on standard output it is absolute, so the config works wherever it is saved).")
    Path output;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Mixin
    CommonOptions common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String fmt = format.toLowerCase(Locale.ROOT);
        if (!fmt.equals("yaml") && !fmt.equals("json")) {
            throw new UsageException("--format must be yaml or json, got " + Quote.single(format));
        }
        new RunFiles().output("config", "-o", output).appended("log file", "--log", common.log).check();
        OutputFiles.Kind target = output == null ? null : OutputFiles.check(output, "config");
        if (target == OutputFiles.Kind.REGULAR && !force) {
            throw new UsageException(output + " exists; use --force to replace it");
        }
        // On standard output, a FIFO or a device nobody knows where the text lands (`> sub/dir/x.yaml`, a pipe to
        // another machine): the data path is absolute. In FILE it is relative to FILE's folder (where it is read
        // from) when near.
        Path base = output == null || target == OutputFiles.Kind.STREAM ? null : output.toAbsolutePath().getParent();
        String yaml = template(kind, dataPath(base));
        String text = fmt.equals("yaml") ? yaml : json(yaml);
        try (Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), common.verbose,
                common.log)) {
            if (output == null) {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
                console.log("RESULT", "printed the " + kind + " example config");
            } else {
                if (target != OutputFiles.Kind.STREAM) {
                    Files.createDirectories(OutputFiles.resolve(output).getParent());
                }
                OutputFiles.write(output, "config", out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
                console.info("wrote " + output);
            }
            console.debug("training.data and training.test: " + dataPath(base));
        }
        return 0;
    }

    /** The example config as YAML, with training.data and training.test set to {@code mnist}. */
    static String template(Examples.Kind kind, String mnist) {
        return Examples.portable(kind, mnist);
    }

    /**
     * The shipped MNIST subset as seen from {@code base}, the folder of the config file being written: relative
     * when the config is written inside richard's folder (they move together), absolute otherwise and when
     * {@code base} is null (standard output), and the repository-relative path when richard does not know where
     * it is installed.
     */
    static String dataPath(Path base) {
        Optional<Path> root = Home.root().map(r -> r.toAbsolutePath().normalize());
        return Home.mnistSubset().map(mnist -> {
            Path absolute = mnist.toAbsolutePath().normalize();
            if (base == null || root.isEmpty() || !base.normalize().startsWith(root.get())) {
                return absolute.toString();
            }
            return base.normalize().relativize(absolute).toString();
        }).map(p -> p.replace('\\', '/')).orElse("richard-examples/data/mnist");
    }

    /** The reference's JSON form: the same config without comments and without the training section. */
    static String json(String yaml) throws IOException {
        ObjectNode tree = (ObjectNode) new YAMLMapper().readTree(yaml);
        tree.remove("training");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n"));
        return new ObjectMapper().writer(printer).writeValueAsString(tree) + "\n";
    }
}
