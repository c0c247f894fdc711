package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.nd4j.train.TrainingState;
import io.richard.nd4j.io.Checkpoint;
import io.richard.nd4j.io.Models;
import net.jqwik.api.Assume;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The command as a separate process, stopped by signals at random moments, and written to by a second process at
 * a random moment. Generated: which signals (Ctrl-C, SIGTERM, each once, or two of them), when (during the JVM's
 * start-up, while the config and data are read, during training, or around the end of a short run when the outputs
 * are written) and how long after that moment. Whatever is chosen, the exit status tells what happened and the
 * files agree with it:
 *
 * <ul>
 *   <li>130 (Ctrl-C) or 143 (SIGTERM): the run says "stopped by Ctrl-C|SIGTERM after E epochs and S samples",
 *       the model loads, and the checkpoint (written every mini-batch) is at exactly epoch E, sample S; or, when
 *       the signal came before richard had started (the JVM's own handling), nothing at all was written;</li>
 *   <li>3: a second signal, or one before training: "quitting", no model unless an earlier one was there;</li>
 *   <li>0: training was complete; the model loads;</li>
 *   <li>always: no lock file is left, hidden files are only recognisable temporary files, the inputs are unchanged
 *       and the metrics file has no blank line.</li>
 * </ul>
 *
 * <p>Timing only chooses the moment; nothing here depends on how fast the machine is (the waits are for lines
 * of output, for as long as the process runs: {@link ChildProcesses}).
 */
class SignalPropertyTest {

    /** Which signals are sent, in order. */
    enum Plan {
        INT("INT"), TERM("TERM"), INT_INT("INT", "INT"), TERM_TERM("TERM", "TERM"), INT_TERM("INT", "TERM"),
        TERM_INT("TERM", "INT");

        final List<String> signals;

        Plan(String... signals) {
            this.signals = List.of(signals);
        }
    }

    /** When the first signal is sent: after what, then a random delay. */
    enum Moment { STARTUP, READING, TRAINING, AROUND_THE_END }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** More CPU time than any of these runs needs (a few seconds each): only a loop reaches it. */
    private static final java.time.Duration CPU_BUDGET = java.time.Duration.ofMinutes(5);
    private static final Pattern HIDDEN = Pattern.compile("\\.m\\.richard(\\.checkpoint|\\.metrics\\.jsonl)?"
            + "\\.\\d+\\.[0-9a-f]+\\.tmp");
    private static final Pattern STOPPED = Pattern.compile("stopped by (Ctrl-C|SIGTERM) after (.+?) in ");
    private static final Path ROOT;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Map<String, AtomicInteger> OUTCOMES = new ConcurrentHashMap<>();

    static {
        try {
            ROOT = Files.createTempDirectory("signals");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void report() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("signals and second writers: " + RUNS.get() + " processes " + new TreeMap<>(OUTCOMES));
    }

    @Property(tries = 8, seed = "20261207", edgeCases = EdgeCasesMode.NONE)
    void signalsAtRandomMomentsEndWithAStatusTheFilesAgreeWith(@ForAll Plan plan, @ForAll Moment moment,
                                                               @ForAll @IntRange(max = 1500) int delay)
            throws Exception {
        Assume.that(!System.getProperty("os.name").startsWith("Windows"));
        Path dir = Files.createDirectories(ROOT.resolve("signals-" + RUNS.incrementAndGet()));
        project(dir, moment == Moment.AROUND_THE_END ? 6 : 100_000);
        Map<String, String> inputs = inputs(dir);
        Run run = new Run(dir, List.of("train", "config.yaml", "-o", "m.richard", "--checkpoint-every", "1b",
                "--progress", "none", "--threads", "1"));
        switch (moment) {
            case STARTUP -> Thread.sleep(delay / 2);                        // the JVM, ND4J, or reading the config
            case READING -> run.await("richard ", false);                 // the first line: checks done, data next
            default -> {
                run.await("Ctrl-C stops after", false);
                Thread.sleep(delay);
            }
        }
        for (int i = 0; i < plan.signals.size(); i++) {
            if (i > 0) {                                                   // the second once the first was handled
                run.await(plan.signals.get(0).equals("INT") ? "Ctrl-C: " : "SIGTERM: ", true);
            }
            if (!run.process.isAlive()) {
                break;
            }
            run.signal(plan.signals.get(i));
        }
        ChildProcesses.awaitExit(run.process, CPU_BUDGET, "the run");
        int status = run.process.exitValue();
        String output = run.output.toString();
        String context = plan + " at " + moment + " + " + delay + " ms: status " + status + "\n" + output;
        Path model = dir.resolve("m.richard");
        Matcher stopped = STOPPED.matcher(output);
        String outcome;
        switch (status) {
            case 130, 143 -> {
                String signal = status == 130 ? "Ctrl-C" : "SIGTERM";
                if (stopped.find()) {
                    outcome = "saved stop";
                    assertEquals(signal, stopped.group(1), context);
                    assertEquals(plan.signals.get(0).equals("INT") ? "Ctrl-C" : "SIGTERM", signal, "the first: " + context);
                    assertTrue(output.contains("model saved to m.richard"), context);
                    Models.load(model);
                    TrainingState state = Checkpoint.load(dir.resolve("m.richard.checkpoint")).state();
                    assertEquals(Text.position(state.epoch(), state.samples()), stopped.group(2),
                            "the message says how far training got, as the checkpoint: " + context);
                    JsonNode last = lastMetrics(dir);
                    assertTrue(last == null || last.get("stopped").asBoolean() || state.samples() == 0, context);
                } else {
                    outcome = "killed while starting";                     // before richard's handlers existed
                    assertFalse(output.contains("richard "), "the JVM's own handling, before richard started: "
                            + context);
                    assertFalse(Files.exists(model), context);
                }
            }
            case 3 -> {
                outcome = "quit unsaved";
                assertTrue(output.contains("quitting"), context);
                if (Files.exists(model)) {
                    Models.load(model);                                    // an earlier save of this run, whole
                }
            }
            case 0 -> {
                outcome = "completed";
                assertTrue(output.contains("trained ") && output.contains("model saved to m.richard"), context);
                Models.load(model);
            }
            default -> {
                fail("unexpected exit status: " + context);
                return;
            }
        }
        OUTCOMES.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        assertEquals(inputs, inputs(dir), "the inputs are unchanged: " + context);
        assertLeftovers(dir, context);
    }

    @Property(tries = 3, seed = "20261208", edgeCases = EdgeCasesMode.NONE)
    void aSecondWriterAtARandomMomentIsRefusedWhileTheFirstTrains(@ForAll @IntRange(max = 3000) int delay,
                                                                  @ForAll @IntRange(max = 2) int shared)
            throws Exception {
        Assume.that(!System.getProperty("os.name").startsWith("Windows"));
        Path dir = Files.createDirectories(ROOT.resolve("writers-" + RUNS.incrementAndGet()));
        project(dir, 100_000);
        Run first = new Run(dir, List.of("train", "config.yaml", "-o", "m.richard", "--checkpoint-every", "5b",
                "--progress", "none", "--threads", "1"));
        first.await("richard ", false);                                    // the first holds its locks from here
        Thread.sleep(delay);
        List<String> second = switch (shared) {                            // the same file, named another way
            case 0 -> List.of("train", "config.yaml", "-o", dir + "/m.richard");
            case 1 -> List.of("train", "config.yaml", "-o", "other.richard", "--metrics", "./m.richard.metrics.jsonl");
            default -> List.of("train", "config.yaml", "-o", "other.richard", "--checkpoint-every", "1",
                    "--checkpoint", "sub/../m.richard.checkpoint");
        };
        Files.createDirectories(dir.resolve("sub"));
        RUNS.incrementAndGet();
        Run other = new Run(dir, second);
        ChildProcesses.awaitExit(other.process, CPU_BUDGET, "the second writer");
        assertTrue(first.process.isAlive(), "the first still trains: " + first.output);
        first.signal("TERM");
        ChildProcesses.awaitExit(first.process, CPU_BUDGET, "the first writer after SIGTERM");
        String context = "second after " + delay + " ms\n--- first ---\n" + first.output + "--- second ---\n"
                + other.output;
        assertEquals(2, other.process.exitValue(), context);
        assertTrue(other.output.toString().contains("is being written by another richard (process "
                + first.process.pid() + ", which holds the lock"), context);
        assertFalse(Files.exists(dir.resolve("other.richard")), "the refused run wrote nothing: " + context);
        assertEquals(143, first.process.exitValue(), context);
        OUTCOMES.computeIfAbsent("second writer refused", k -> new AtomicInteger()).incrementAndGet();
        Models.load(dir.resolve("m.richard"));
        Checkpoint.load(dir.resolve("m.richard.checkpoint"));
        List<String> lines = Files.readAllLines(dir.resolve("m.richard.metrics.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(i + 1, JSON.readTree(lines.get(i)).get("epoch").asInt(), "metrics line " + (i + 1) + ": "
                    + context);
        }
        assertFalse(Files.readString(dir.resolve("m.richard.metrics.jsonl")).contains("\n\n"), context);
        assertLeftovers(dir, context);
    }

    /** The CSV project of {@link Fixtures} with {@code epochs} epochs. */
    private static void project(Path dir, int epochs) throws IOException {
        Path config = Fixtures.csvProject(dir);
        Files.writeString(config, Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: " + epochs));
    }

    private static Map<String, String> inputs(Path dir) throws IOException {
        Map<String, String> contents = new TreeMap<>();
        for (String name : List.of("config.yaml", "train.csv", "test.csv")) {
            contents.put(name, Files.readString(dir.resolve(name)));
        }
        return contents;
    }

    private static JsonNode lastMetrics(Path dir) throws IOException {
        Path metrics = dir.resolve("m.richard.metrics.jsonl");
        if (!Files.exists(metrics)) {
            return null;
        }
        String text = Files.readString(metrics);
        assertFalse(text.contains("\n\n") || text.startsWith("\n"), "no blank line in the metrics file:\n" + text);
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? null : JSON.readTree(lines.get(lines.size() - 1));
    }

    /** No lock file is left; every other hidden file is a temporary file of a write that was cut short. */
    private static void assertLeftovers(Path dir, String context) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                assertFalse(name.endsWith(".lock"), "no lock file is left: " + name + "\n" + context);
                if (name.startsWith(".")) {
                    assertTrue(HIDDEN.matcher(name).matches(), "unexpected hidden file " + name + "\n" + context);
                }
            }
        }
    }

    /** A started process whose output (both streams, interleaved by line) is collected. */
    private static final class Run {
        final Process process;
        final StringBuffer output = new StringBuffer();

        Run(Path dir, List<String> args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-XX:TieredStopAtLevel=1");                          // faster start-up: these runs are short
            command.add("-Xmx256m");
            command.add("-cp");
            command.add(Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                    + System.getProperty("java.class.path"));
            command.add("io.richard.cli.Richard");
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(ChildProcesses.actingOnCtrlC(command)).directory(dir.toFile());
            builder.environment().put("OMP_NUM_THREADS", "1");
            builder.environment().remove("RICHARD_STDERR_TTY");
            builder.environment().remove("RICHARD_STDIN_TTY");
            process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            drain(process.getInputStream());
            drain(process.getErrorStream());
        }

        private void drain(InputStream stream) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        output.append(line).append('\n');
                    }
                } catch (IOException e) {
                    output.append("[read error ").append(e).append("]\n");
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * Waits until a line starts with (or, {@code anywhere}, contains) {@code text}, or the process ended; as long
         * as the process keeps running ({@link ChildProcesses}), not by the clock.
         */
        void await(String text, boolean anywhere) throws InterruptedException {
            ChildProcesses.awaitUntil(process, () -> {
                String seen = output.toString();
                return anywhere ? seen.contains(text) : seen.startsWith(text) || seen.contains("\n" + text);
            }, CPU_BUDGET, "waiting for '" + text + "'");
        }

        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            kill.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
