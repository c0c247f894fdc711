package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command as a separate process, as a user runs it: {@code java -cp … io.richard.cli.Richard} (the class path
 * of this test run, which is what the packaged jar's manifest lists), from another working directory.
 */
class SubprocessTest {

    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private static ProcessBuilder command(Path workingDirectory, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + System.getProperty("java.class.path"));
        command.add("io.richard.cli.Richard");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.actingOnCtrlC(command))
                .directory(workingDirectory.toFile());
        builder.environment().remove("RICHARD_STDERR_TTY");
        builder.environment().remove("RICHARD_STDIN_TTY");
        return builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    private static Outcome run(Path workingDirectory, String... args) throws Exception {
        Process process = command(workingDirectory, args).start();
        CompletableFuture<String> out = read(process.getInputStream(), null);
        CompletableFuture<String> err = read(process.getErrorStream(), null);
        ChildProcesses.awaitExit(process, Duration.ofMinutes(5), "richard " + String.join(" ", args));
        return new Outcome(process.exitValue(), out.get(), err.get());
    }

    private static CompletableFuture<String> read(java.io.InputStream stream, List<String> live) {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder text = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    text.append(line).append('\n');
                    if (live != null) {
                        synchronized (live) {
                            live.add(line);
                        }
                    }
                }
            } catch (IOException e) {
                text.append("[read error ").append(e).append("]");
            }
            return text.toString();
        });
    }

    @Test
    void trainsAndEvaluatesFromAnotherWorkingDirectory() throws Exception {
        Path project = dir.resolve("project");
        Fixtures.csvProject(project);
        Path work = Files.createDirectories(dir.resolve("work"));
        Outcome train = run(work, "train", "../project/config.yaml", "--threads", "1");
        assertEquals(0, train.status(), train::toString);
        assertTrue(train.out().contains("epoch 2/2  cost "), train::toString);
        assertTrue(train.out().contains("model saved to config.richard"), train::toString);
        assertTrue(Files.exists(work.resolve("config.richard")), train::toString);
        assertTrue(Files.exists(work.resolve("config.richard.metrics.jsonl")), train::toString);
        assertFalse(train.err().contains("INFO"), "ND4J's start-up messages should be hidden:\n" + train);

        Outcome eval = run(work, "--eval", "--samples", "../project/test.csv", "--network", "config.richard");
        assertEquals(0, eval.status(), eval::toString);
        assertTrue(eval.out().contains("accuracy "), eval::toString);
    }

    @Test
    void userErrorIsOneLineWithStatusTwo() throws Exception {
        Path project = dir.resolve("project");
        Path config = Fixtures.csvProject(project);
        Files.writeString(config, Fixtures.CSV_CONFIG.replace("miniBatchSize", "minibatchSize"));
        Outcome outcome = run(project, "train", "config.yaml");
        assertEquals(2, outcome.status(), outcome::toString);
        assertEquals("richard: error: config.yaml:9:47: classifier.network.hyperparams.minibatchSize: unknown key"
                + " 'minibatchSize'; did you mean 'miniBatchSize'? (valid keys here: epochs, batchSize, miniBatchSize)\n",
                outcome.err());
        assertEquals("", outcome.out());
    }

    /** Ctrl-C (SIGINT) stops after the current mini-batch, saves the model, says where, and exits with 130. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void ctrlCStopsTrainingAndSavesTheModel() throws Exception {
        Path project = dir.resolve("project");
        Path config = Fixtures.csvProject(project);
        Files.writeString(config, Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: 1000000"));
        Process process = command(project, "train", "config.yaml", "--progress", "none").start();
        List<String> live = new ArrayList<>();
        CompletableFuture<String> out = read(process.getInputStream(), live);
        CompletableFuture<String> err = read(process.getErrorStream(), null);
        boolean started = ChildProcesses.awaitUntil(process, () -> {
            synchronized (live) {
                return live.stream().anyMatch(line -> line.startsWith("epoch       3/"));
            }
        }, Duration.ofMinutes(5), "training up to epoch 3");
        assertTrue(started, "training ended early");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        assertEquals(0, kill.waitFor());
        // after Ctrl-C it stops within one mini-batch: a few seconds of CPU at most, however busy the machine
        ChildProcesses.awaitExit(process, Duration.ofNanos(ChildProcesses.cpuNanos(process)).plusSeconds(30),
                "training stopping after Ctrl-C");
        Outcome outcome = new Outcome(process.exitValue(), out.get(), err.get());
        assertEquals(130, outcome.status(), outcome::toString);
        assertTrue(outcome.err().contains("Ctrl-C: stopping after this mini-batch and saving the model"),
                outcome::toString);
        assertTrue(outcome.out().contains("stopped by Ctrl-C after "), outcome::toString);
        assertTrue(outcome.out().contains("model saved to config.richard"), outcome::toString);
        assertTrue(Files.size(project.resolve("config.richard")) > 0);
    }
}
