package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.richard.nd4j.io.Models;
import net.jqwik.api.Assume;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile outputs, generated: every output option of the command line ({@code -o}, {@code --plot},
 * {@code --checkpoint}, {@code --metrics}, {@code --log}, {@code --report}, the reference's {@code -n},
 * {@code init -o}, {@code export -o}, {@code report -o}) pointed at
 * every kind of thing that can be at a path — nothing, a regular file, a symbolic link to a file, a symbolic link
 * or a hard link to one of the run's inputs, another output of the same run (spelt another way: {@code ./x},
 * {@code sub/../x}, absolute), a FIFO, a pipe named {@code /proc/self/fd/N} (what a shell's {@code >(…)} gives),
 * a character device (made with mknod: null and full), a block device, a
 * directory, a folder that cannot be written (immutable), a path under a regular file — each run through the real
 * command line (in-process). Whatever is chosen:
 *
 * <ul>
 *   <li>the exit status is the one the rule of {@link io.richard.nd4j.io.OutputFiles} and {@link RunFiles} gives:
 *       0 for files (replaced atomically, through symbolic links) and for FIFOs and character devices (written
 *       through); 2 with one line naming the file for everything else;</li>
 *   <li>no device node, FIFO or symbolic link is ever replaced, and the inputs never change;</li>
 *   <li>a refused run changes nothing at all in the folder; a successful one leaves no temporary or lock file;</li>
 *   <li>what went through a FIFO is a whole model, checkpoint, plot, metrics, log, HTML report or ONNX model.</li>
 * </ul>
 */
class HostileOutputPropertyTest {

    /** Where an output option points. */
    enum Target {
        NEW, REGULAR, SYMLINK_TO_FILE, SYMLINK_TO_INPUT, HARDLINK_TO_INPUT, OTHER_OUTPUT, FIFO, PIPE, NULL_DEVICE,
        FULL_DEVICE, BLOCK_DEVICE, DIRECTORY, IMMUTABLE_FOLDER, UNDER_A_FILE
    }

    /** The output options. */
    enum Option { MODEL, PLOT, CHECKPOINT, METRICS, LOG, REPORT, LEGACY_NETWORK, INIT, EXPORT, REPORT_COMMAND }

    /** The trained model that {@code export} and {@code report} read, made once (an input of theirs). */
    private static final String TRAINED = "trained.richard";
    private static byte[] trained;

    private static final Path ROOT;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Map<String, AtomicInteger> OUTCOMES = new ConcurrentHashMap<>();
    private static final Map<Option, AtomicInteger> OPTIONS = new ConcurrentHashMap<>();
    private static final List<String> SKIPPED = Collections.synchronizedList(new ArrayList<>());

    static {
        try {
            ROOT = Files.createTempDirectory("hostile-outputs");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void report() throws IOException {
        run("chattr", "-R", "-i", ROOT.toString());
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("hostile outputs: " + OUTCOMES.values().stream().mapToInt(AtomicInteger::get).sum()
                + " runs " + new TreeMap<>(OUTCOMES) + ", by option " + new TreeMap<>(OPTIONS)
                + (SKIPPED.isEmpty() ? "" : "; not possible here (skipped): " + new java.util.TreeSet<>(SKIPPED)));
    }

    /**
     * Every option on every kind of path (all pairs: 10 × 14), the rest drawn at random for each pair from a fixed
     * seed: which input a link points to, how the path is spelt, and init's --force.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE, edgeCases = EdgeCasesMode.NONE)
    void everyOutputOptionOnEveryKindOfPathWritesThroughReplacesAtomicallyOrRefusesCleanly(
            @ForAll Option option, @ForAll Target target) throws Exception {
        Assume.that(!System.getProperty("os.name").startsWith("Windows"));     // POSIX file types and links
        java.util.Random random = new java.util.Random(20261206L * 31 + option.ordinal() * 97L + target.ordinal());
        int input = random.nextInt(3);
        int spelling = random.nextInt(3);
        boolean force = random.nextBoolean();
        Path dir = Files.createDirectories(ROOT.resolve("run-" + RUNS.incrementAndGet()));
        Pipe pipe = null;
        Fixtures.csvProject(dir);
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve(TRAINED), trainedModel());
        List<String> inputs = switch (option) {                       // what the command reads
            case EXPORT -> List.of(TRAINED, TRAINED, TRAINED);
            case REPORT_COMMAND -> List.of(TRAINED, "test.csv", TRAINED);
            default -> List.of("config.yaml", "train.csv", "test.csv");
        };
        List<Option> others = trainOutputs(option).stream().filter(o -> o != option).toList();
        Option second = others.isEmpty() ? null : others.get((3 * input + spelling) % others.size());
        String name = "out.bin";
        Path path = dir.resolve(name);
        switch (target) {
            case NEW -> { }
            case REGULAR -> Files.writeString(path, "an old file\n");
            case SYMLINK_TO_FILE -> {
                Files.writeString(Files.createDirectories(dir.resolve("elsewhere")).resolve("real.bin"), "old\n");
                Files.createSymbolicLink(path, Path.of("elsewhere/real.bin"));
            }
            case SYMLINK_TO_INPUT -> Files.createSymbolicLink(path, Path.of(inputs.get(input)));
            case HARDLINK_TO_INPUT -> Files.createLink(path, dir.resolve(inputs.get(input)));
            case OTHER_OUTPUT -> Assume.that(second != null);
            case FIFO -> assumeMade(target, run("mkfifo", path.toString()));
            case PIPE -> {                   // as from >(…): /proc/self/fd/N, a link to "pipe:[…]" (in-process runs)
                pipe = Pipe.start(dir.resolve("piped.bin"));
                assumeMade(target, pipe != null);
                path = pipe.path();
                name = path.toString();
            }
            case NULL_DEVICE -> assumeMade(target, run("mknod", path.toString(), "c", "1", "3"));
            case FULL_DEVICE -> assumeMade(target, run("mknod", path.toString(), "c", "1", "7"));
            case BLOCK_DEVICE -> assumeMade(target, run("mknod", path.toString(), "b", "240", "0"));   // no such disk
            case DIRECTORY -> Files.createDirectories(path);
            case IMMUTABLE_FOLDER -> {
                Path folder = Files.createDirectories(dir.resolve("locked"));
                assumeMade(target, run("chattr", "+i", folder.toString()) && !Files.isWritable(folder));
                name = "locked/out.bin";
                path = folder.resolve("out.bin");
            }
            case UNDER_A_FILE -> {
                name = "train.csv/out.bin";
                path = dir.resolve(name);
            }
            default -> throw new IllegalStateException(target.toString());
        }
        String spelt = switch (target == Target.PIPE ? 0 : spelling) {   // the same file, written three ways
            case 0 -> name;
            case 1 -> "./" + name;
            default -> "sub/../" + name;
        };
        List<String> args = arguments(dir, option, spelt, name, target == Target.OTHER_OUTPUT ? second : null, force);

        Map<String, String> before = snapshot(dir);
        Fixtures.Result result;
        byte[] piped = null;
        FifoReader reader = target == Target.FIFO ? new FifoReader(path) : null;
        try {
            Fixtures.Result raw = Fixtures.run(args.toArray(String[]::new));
            result = new Fixtures.Result(raw.status(), raw.out().replace(dir + "/", ""), raw.err().replace(dir + "/", ""));
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (pipe != null) {
                piped = pipe.close();
            }
            run("chattr", "-i", dir.resolve("locked").toString());
        }
        Map<String, String> after = snapshot(dir);
        String expected = expectedRefusal(option, target, force);
        boolean refusedBeforehand = expected != null && target != Target.FULL_DEVICE;   /* /dev/full fails writing */
        OUTCOMES.computeIfAbsent(target + (expected == null ? " written" : " refused"), k -> new AtomicInteger())
                .incrementAndGet();
        OPTIONS.computeIfAbsent(option, k -> new AtomicInteger()).incrementAndGet();
        String context = option + " → " + target + " (" + String.join(" ", args) + ")\n" + result;
        if (expected != null) {
            assertEquals(2, result.status(), context);
            String[] lines = result.err().split("\n");
            assertTrue(lines[lines.length - 1].startsWith("richard: error: ") && !result.err().contains("\tat ")
                    && (!refusedBeforehand || lines.length == 1), "one line: " + context);
            assertTrue(result.err().contains(expected), "says '" + expected + "': " + context);
            assertTrue(result.err().contains(spelt) || result.err().contains(name), "names the file: " + context);
            if (refusedBeforehand) {
                assertEquals(before, after, "a refused run changes nothing: " + context);
            } else {
                for (String file : List.of("config.yaml", "train.csv", "test.csv", TRAINED, name)) {
                    assertEquals(before.get(file), after.get(file), file + " is unchanged: " + context);
                }
                assertTrue(after.keySet().stream().noneMatch(f -> f.startsWith(".") || f.contains("/.")),
                        "no temporary or lock file is left: " + after.keySet() + "\n" + context);
            }
            return;
        }
        assertEquals(0, result.status(), context);
        for (String file : inputs) {
            if (option != Option.INIT || target != Target.SYMLINK_TO_INPUT) {       // init has no inputs
                assertEquals(before.get(file), after.get(file), "the input " + file + " is unchanged: " + context);
            }
        }
        assertTrue(after.keySet().stream().noneMatch(f -> f.startsWith(".") || f.contains("/.")),
                "no temporary or lock file is left: " + after.keySet() + "\n" + context);
        switch (target) {
            case FIFO, NULL_DEVICE -> assertEquals(before.get(name), after.get(name), "the node is intact: " + context);
            case PIPE -> { }
            case SYMLINK_TO_FILE -> {
                assertEquals(before.get(name), after.get(name), "the link stays: " + context);
                assertNotEquals(before.get("elsewhere/real.bin"), after.get("elsewhere/real.bin"),
                        "the file it points to is replaced: " + context);
                assertTrue(after.get("elsewhere/real.bin").startsWith("file "), context);
            }
            case SYMLINK_TO_INPUT -> {                                         // init has no inputs: follows the link
                assertEquals(before.get(name), after.get(name), "the link stays: " + context);
            }
            default -> {
                assertTrue(after.get(name).startsWith("file "), "a regular file: " + after.get(name) + "\n" + context);
                assertNotEquals(before.get(name), after.get(name), "written: " + context);
            }
        }
        if (piped != null) {
            if (option == Option.CHECKPOINT) {                             // several checkpoints, one after another
                assertTrue(piped.length > 4 && piped[0] == 'P' && piped[1] == 'K', "archives: " + context);
            } else {
                assertWhole(option, piped, context);
            }
        } else if (reader != null) {
            List<byte[]> streams = reader.streams();
            assertFalse(streams.isEmpty(), "something went through the FIFO: " + context);
            for (byte[] bytes : streams) {
                assertWhole(option, bytes, context);
            }
        } else if (target != Target.NULL_DEVICE) {
            Path written = target == Target.SYMLINK_TO_FILE ? dir.resolve("elsewhere/real.bin") : path;
            assertWhole(option, Files.readAllBytes(OutputFilesHelper.resolve(written)), context);
        }
    }

    /** The options of the train command that write a file, for "the same as another output". */
    private static List<Option> trainOutputs(Option option) {
        return switch (option) {
            case INIT, LEGACY_NETWORK, EXPORT, REPORT_COMMAND -> List.of();
            default -> List.of(Option.MODEL, Option.PLOT, Option.CHECKPOINT, Option.METRICS, Option.LOG, Option.REPORT);
        };
    }

    /** A model trained once through the command line, for the commands that read one. */
    private static synchronized byte[] trainedModel() throws IOException {
        if (trained == null) {
            Path dir = Files.createDirectories(ROOT.resolve("trained"));
            Fixtures.csvProject(dir);
            Fixtures.Result result = Fixtures.run("train", dir + "/config.yaml", "--epochs", "1", "--progress", "none",
                    "-o", dir + "/" + TRAINED);
            assertEquals(0, result.status(), result.toString());
            trained = Files.readAllBytes(dir.resolve(TRAINED));
        }
        return trained;
    }

    /**
     * The arguments of a run with {@code option} set to {@code dir/spelt} (and {@code second}, if any, to the same
     * file spelt {@code dir/name}); every path absolute, as the in-process run has the test's working directory.
     */
    private static List<String> arguments(Path dir, Option option, String spelt, String name, Option second,
                                          boolean force) {
        String path = spelt.startsWith("/") ? spelt : dir + "/" + spelt;
        if (option == Option.INIT) {
            List<String> args = new ArrayList<>(List.of("init", "dense", "-o", path));
            if (force) {
                args.add("--force");
            }
            return args;
        }
        List<String> args = new ArrayList<>();
        if (option == Option.EXPORT) {
            return List.of("export", dir + "/" + TRAINED, "-o", path);
        }
        if (option == Option.REPORT_COMMAND) {
            return List.of("report", dir + "/" + TRAINED, dir + "/test.csv", "-o", path);
        }
        if (option == Option.LEGACY_NETWORK) {
            return List.of("--train", "--samples", dir + "/train.csv", "--config", dir + "/config.yaml", "-n", path);
        }
        args.addAll(List.of("train", dir + "/config.yaml", "--epochs", "1", "--progress", "none"));
        boolean checkpoints = false;
        for (Option o : new Option[] {option, second}) {
            if (o == null) {
                continue;
            }
            String value = o == option ? path : dir + "/" + name;
            switch (o) {
                case MODEL -> args.addAll(List.of("-o", value));
                case PLOT -> args.addAll(List.of("--plot", value));
                case CHECKPOINT -> {
                    args.addAll(List.of("--checkpoint", value));
                    checkpoints = true;
                }
                case METRICS -> args.addAll(List.of("--metrics", value));
                case LOG -> args.addAll(List.of("--log", value));
                case REPORT -> args.addAll(List.of("--report", value));
                default -> throw new IllegalStateException(o.toString());
            }
        }
        if (checkpoints) {
            args.addAll(List.of("--checkpoint-every", "1"));
        }
        if (option != Option.MODEL && second != Option.MODEL) {
            args.addAll(List.of("-o", dir + "/m.richard"));
        }
        return args;
    }

    /** The part of the message of a refused run, or null when the run must succeed. */
    private static String expectedRefusal(Option option, Target target, boolean force) {
        boolean init = option == Option.INIT;
        return switch (target) {
            case NEW, FIFO, PIPE, NULL_DEVICE -> null;
            case REGULAR, SYMLINK_TO_FILE, SYMLINK_TO_INPUT, HARDLINK_TO_INPUT -> init
                    ? (force ? null : "exists; use --force to replace it")
                    : target == Target.SYMLINK_TO_INPUT || target == Target.HARDLINK_TO_INPUT ? "is the same file as"
                    : null;
            case OTHER_OUTPUT -> "are the same file";
            case FULL_DEVICE -> "No space left on device";
            case BLOCK_DEVICE -> "it is a block device";
            case DIRECTORY -> "it is a directory";
            case IMMUTABLE_FOLDER -> "is not writable";
            case UNDER_A_FILE -> "is not a folder";
        };
    }

    /** The bytes written are a whole output of this kind. */
    private static void assertWhole(Option option, byte[] bytes, String context) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        switch (option) {
            case MODEL, LEGACY_NETWORK, CHECKPOINT -> {
                Path copy = Files.createTempFile(ROOT, "model", ".richard");
                Files.write(copy, bytes);
                Models.load(copy);                                        // a whole archive, or it throws
            }
            case PLOT -> assertTrue(bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                    "a PNG: " + context);
            case METRICS -> assertTrue(text.startsWith("{\"epoch\":1,") && text.endsWith("}\n")
                    && !text.contains("\n\n"), "metrics lines: " + text + "\n" + context);
            case LOG -> assertTrue(text.contains("[INFO] richard ") && text.endsWith("\n"), "a log: " + text);
            case INIT -> assertTrue(text.startsWith("#") && text.contains("classifier:"), "a config: " + text);
            case REPORT, REPORT_COMMAND -> {            // a stream gets each epoch's page after the other, as checkpoints
                assertTrue(text.startsWith("<!DOCTYPE html>"), "an HTML page: " + context);
                for (String page : text.substring(1).split("(?=<!DOCTYPE html>)")) {
                    assertTrue(page.stripTrailing().endsWith("</html>"), "whole pages: " + context);
                }
            }
            case EXPORT -> {
                try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bytes)) {   // whole, or throws
                    assertEquals(java.util.Set.of(io.richard.nd4j.io.OnnxExport.OUTPUT), session.getOutputNames(), context);
                } catch (OrtException e) {
                    throw new AssertionError("not a whole ONNX model: " + e.getMessage() + "\n" + context, e);
                }
            }
        }
    }

    private static void assumeMade(Target target, boolean made) {
        if (!made) {
            SKIPPED.add(target.toString());
        }
        Assume.that(made);
    }

    /** Every entry under {@code dir} (not following links): its type, and its content, link target or device. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> !f.equals(dir)).toList()) {
                String key = dir.relativize(file).toString();
                if (Files.isSymbolicLink(file)) {
                    entries.put(key, "link " + Files.readSymbolicLink(file));
                } else if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(key, "folder");
                } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(key, "file " + sha(Files.readAllBytes(file)) + " inode "
                            + Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS) + " mtime "
                            + Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis());
                } else {
                    int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    entries.put(key, "node mode " + Integer.toOctalString(mode) + " rdev "
                            + Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS) + " inode "
                            + Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS));
                }
            }
        }
        return entries;
    }

    private static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a system command (mkfifo, mknod, chattr); whether it succeeded. */
    static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A pipe into {@code cat > file} whose writing end this JVM holds, named {@code /proc/self/fd/N} (a link to
     * {@code pipe:[…]}, what a shell's {@code >(…)} gives); null where there is no /proc or no cat.
     */
    record Pipe(Process cat, Path path, Path file) {

        static Pipe start(Path file) throws IOException {
            Path fds = Path.of("/proc/self/fd");
            if (!Files.isDirectory(fds)) {
                return null;
            }
            java.util.Set<String> before = pipes(fds);
            Process cat;
            try {
                cat = new ProcessBuilder("cat").redirectOutput(file.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                return null;
            }
            java.util.Set<String> added = pipes(fds);
            added.removeAll(before);
            if (added.size() != 1) {                                       // another thread opened pipes meanwhile
                cat.destroy();
                return null;
            }
            return new Pipe(cat, fds.resolve(added.iterator().next()), file);
        }

        private static java.util.Set<String> pipes(Path fds) throws IOException {
            java.util.Set<String> found = new java.util.HashSet<>();
            try (Stream<Path> entries = Files.list(fds)) {
                for (Path fd : entries.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().startsWith("pipe:")) {
                            found.add(fd.getFileName().toString());
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            }
            return found;
        }

        /** Closes the pipe, waits for cat, and returns what went through. */
        byte[] close() throws IOException, InterruptedException {
            cat.getOutputStream().close();
            ChildProcesses.awaitExit(cat, java.time.Duration.ofMinutes(1), "cat");
            return Files.readAllBytes(file);
        }
    }

    /** Reads a FIFO over and over (each writer's open is one stream) until closed. */
    static final class FifoReader implements AutoCloseable {
        private final Path fifo;
        private final List<byte[]> streams = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stop;

        FifoReader(Path fifo) {
            this.fifo = fifo;
            thread = new Thread(() -> {
                while (!stop) {
                    try (InputStream in = Files.newInputStream(fifo)) {           // blocks until a writer opens it
                        byte[] bytes = in.readAllBytes();
                        if (bytes.length > 0) {
                            streams.add(bytes);
                        }
                    } catch (IOException e) {
                        streams.add(("[read error " + e + "]").getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                }
            }, "fifo-reader");
            thread.setDaemon(true);
            thread.start();
        }

        List<byte[]> streams() {
            return List.copyOf(streams);
        }

        @Override
        public void close() throws InterruptedException, IOException {
            stop = true;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (thread.isAlive() && System.nanoTime() < deadline) {
                // opening a FIFO for reading and writing never blocks, and releases a reader waiting for a writer
                FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
                thread.join(100);
            }
            assertFalse(thread.isAlive(), "the FIFO reader ended");
        }
    }

    /** Where a path's symbolic links lead (the written file). */
    private static final class OutputFilesHelper {
        static Path resolve(Path file) {
            return io.richard.nd4j.io.OutputFiles.resolve(file);
        }
    }
}
