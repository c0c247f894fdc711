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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.richard.nd4j.train.TrainingState;
import io.richard.nd4j.io.Checkpoint;
import io.richard.nd4j.io.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} during training, 20 times at random moments: after every kill the checkpoint on disk loads and is
 * the newest or an earlier good version (never a half-written file, never older than one seen before), leftover
 * temporary files are recognisable as such, and each resume picks up from it. The run finally resumed to the end
 * has exactly the parameters, costs and test accuracies of a run never interrupted (one thread).
 */
@DisabledOnOs(OS.WINDOWS)
class KillTest {

    private static final int KILLS = 20;
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\.m\\.richard(\\.checkpoint|\\.metrics\\.jsonl)?(\\.\\d+\\.[0-9a-f]+\\.tmp|\\.lock)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The CSV project of {@link Fixtures} with dropout, shuffling, a test set and practically endless epochs. */
    private static Path project(Path dir) throws IOException {
        Path config = Fixtures.csvProject(dir);
        Files.writeString(config, Fixtures.CSV_CONFIG
                .replace("epochs: 2", "epochs: 100000")
                .replace("{type: dense, size: 6, learnRate: 0.5}", "{type: dense, size: 6, learnRate: 0.5, dropoutRate: 0.25}")
                .replace("  test: test.csv\n", "  test: test.csv\n  shuffle: true\n  seed: 3\n"));
        return config;
    }

    private static ProcessBuilder command(Path workingDirectory, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");                 // faster start-up: these runs are short
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + System.getProperty("java.class.path"));
        command.add("io.richard.cli.Richard");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().remove("RICHARD_STDERR_TTY");
        builder.environment().remove("RICHARD_STDIN_TTY");
        return builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    /** A started run whose output is drained; {@code ready} opens when training is about to start. */
    private static final class Run {
        final Process process;
        final CountDownLatch ready = new CountDownLatch(1);
        final StringBuffer output = new StringBuffer();

        Run(ProcessBuilder builder) throws IOException {
            process = builder.start();
            drain(process.getInputStream());
            drain(process.getErrorStream());
        }

        private void drain(InputStream stream) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        output.append(line).append('\n');
                        if (line.startsWith("Ctrl-C stops after")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException e) {
                    output.append("[read error ").append(e).append("]\n");
                }
            });
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** What one chain of kills and resumes did. */
    private record Chain(Path dir, Path config, int kills, int resumes, int beforeTraining, int leftovers, int epochs,
                         int completed) {
    }

    /**
     * Two chains of 10 kills run side by side (the runs are mostly JVM start-up, so two at once take little more
     * time than one); each ends with a resume that finishes, compared with an uninterrupted run.
     */
    @Test
    void twentyKillsAtRandomMomentsNeverLeaveAHalfWrittenFileAndTheResumedRunEndsBitIdentical() throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Chain> chains = new ArrayList<>();
        try {
            List<Future<Chain>> futures = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Path chainDir = Files.createDirectories(dir.resolve("chain-" + c));
                long seed = 20_240_607L + c;
                futures.add(pool.submit(() -> chain(chainDir, new Random(seed), KILLS / 2)));
            }
            for (Future<Chain> future : futures) {
                chains.add(future.get());                   // each wait inside a chain fails a hung process
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        int threads = Backend.threads();
        try {
            for (Chain chain : chains) {
                // The same training never interrupted, in this JVM at one thread.
                Path reference = Files.createDirectories(chain.dir().resolve("reference"));
                Fixtures.Result uninterrupted = Fixtures.run("train", chain.config().toString(), "--model",
                        reference.resolve("m.richard").toString(), "--progress", "none", "--threads", "1", "--epochs",
                        Integer.toString(chain.epochs()));
                assertEquals(0, uninterrupted.status(), uninterrupted::toString);
                CheckpointCliTest.assertSameParameters(reference.resolve("m.richard"), chain.dir().resolve("m.richard"));
                assertSameHistory(reference.resolve("m.richard.metrics.jsonl"),
                        chain.dir().resolve("m.richard.metrics.jsonl"), chain.epochs());
            }
        } finally {
            Backend.threads(threads);
        }
        int kills = chains.stream().mapToInt(Chain::kills).sum();
        // the chains kill until they have KILLS kills (so that number proves nothing); what the test is about: most
        // kills hit a run that was training and writing checkpoints, not its start-up
        int killedTraining = kills - chains.stream().mapToInt(Chain::beforeTraining).sum();
        assertTrue(killedTraining >= KILLS / 2, killedTraining + " of " + kills + " kills while training");
        System.out.printf("kill test: %d kills (%d before training started), %d short runs that finished and saved"
                        + " between kills, %d resumes, %d leftover temporary files seen and later removed, chains ended"
                        + " at epochs %s; %.1f s%n", kills, chains.stream().mapToInt(Chain::beforeTraining).sum(),
                chains.stream().mapToInt(Chain::completed).sum(), chains.stream().mapToInt(Chain::resumes).sum(),
                chains.stream().mapToInt(Chain::leftovers).sum(), chains.stream().map(Chain::epochs).toList(), seconds);
    }

    private static Chain chain(Path dir, Random random, int killsWanted) throws Exception {
        Path config = project(dir);
        Path checkpoint = dir.resolve("m.richard.checkpoint");
        List<String> fresh = List.of("train", "config.yaml", "--model", "m.richard", "--checkpoint-every", "1b",
                "--progress", "none", "--threads", "1");
        // --epochs: a checkpoint carries the epochs planned by the run that wrote it, which for a finishing run
        // below is only one more; these resumes train on towards the config's 100000
        List<String> resumeBase = List.of("train", "config.yaml", "--model", "m.richard", "--resume",
                "m.richard.checkpoint", "--progress", "none", "--threads", "1");
        List<String> resume = concat(resumeBase, "--epochs", "100000");
        int kills = 0;
        int resumes = 0;
        int killedBeforeTraining = 0;
        int leftovers = 0;
        long[] seen = {0, 0};                                       // the furthest (epoch, mini-batch) seen on disk
        int completed = 0;
        while (kills < killsWanted) {
            boolean resuming = Files.exists(checkpoint);
            List<String> args = resuming ? resume : fresh;
            boolean finishing = resuming && random.nextInt(5) == 0;
            if (finishing) {                                        // ends within an epoch: kills may hit the model save
                args = concat(resumeBase, "--epochs", Integer.toString(Checkpoint.load(checkpoint).state().epoch() + 1));
            }
            Run run = new Run(command(dir, args));
            if (random.nextInt(4) == 0) {
                Thread.sleep(200 + random.nextInt(1300));           // anywhere in start-up, reading or training
            } else {
                ChildProcesses.awaitUntil(run.process, () -> run.ready.getCount() == 0, Duration.ofMinutes(5),
                        "a run getting ready to train:\n" + run.output);
                Thread.sleep(random.nextInt(finishing ? 1200 : 400));   // within the first few dozen mini-batches
            }
            if (!run.process.isAlive()) {
                assertTrue(finishing && run.process.waitFor() == 0, "the run ended before it was killed (status "
                        + run.process.exitValue() + "):\n" + run.output);
                completed++;                                        // finished its short run: saved, not killed
                leftovers += checkFilesAfterKill(dir, checkpoint, seen);
                continue;
            }
            killedBeforeTraining += run.ready.getCount() > 0 ? 1 : 0;
            run.process.destroyForcibly();                          // SIGKILL: no shutdown hook, no finally
            assertTrue(run.process.waitFor(120, TimeUnit.SECONDS), "SIGKILL ends a process at once");
            kills++;
            resumes += resuming ? 1 : 0;
            leftovers += checkFilesAfterKill(dir, checkpoint, seen);
        }

        // Resume once more and let it finish two epochs after the checkpoint's position.
        int epochs = Files.exists(checkpoint) ? Checkpoint.load(checkpoint).state().epoch() + 2 : 2;
        Run finish = new Run(command(dir, concat(Files.exists(checkpoint) ? resumeBase : fresh, "--epochs",
                Integer.toString(epochs))));
        ChildProcesses.awaitExit(finish.process, Duration.ofMinutes(5), "the final resume");
        assertEquals(0, finish.process.exitValue(), finish.output::toString);
        resumes++;
        assertTrue(finish.output.toString().contains("model saved to m.richard"), finish.output::toString);
        try (Stream<Path> files = Files.list(dir)) {
            List<String> hidden = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "the resumed run removed the killed runs' temporary files");
        }
        return new Chain(dir, config, kills, resumes, killedBeforeTraining, leftovers, epochs, completed);
    }

    /**
     * After a kill: the checkpoint, if any, loads as a checkpoint and as a model and is not older than any seen
     * before; the model, if any, loads; the metrics file holds whole records (but maybe a cut last line); every
     * other file is a known temporary file. Returns the number of temporary files left.
     */
    private static int checkFilesAfterKill(Path dir, Path checkpoint, long[] seen) throws IOException {
        int temporary = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".")) {
                    assertTrue(TEMPORARY.matcher(name).matches(), "unexpected hidden file " + name);   // or a lock
                    temporary++;
                } else {
                    assertTrue(Map.of("config.yaml", 1, "train.csv", 1, "test.csv", 1, "m.richard.checkpoint", 1,
                            "m.richard.metrics.jsonl", 1, "m.richard", 1).containsKey(name), "unexpected file " + name);
                }
            }
        }
        if (Files.exists(checkpoint)) {
            TrainingState state = Checkpoint.load(checkpoint).state();      // throws if half-written
            Models.load(checkpoint);
            assertTrue(state.epoch() > seen[0] || state.epoch() == seen[0] && state.batch() >= seen[1],
                    "the checkpoint went back from epoch " + seen[0] + " mini-batch " + seen[1] + " to " + state);
            seen[0] = state.epoch();
            seen[1] = state.batch();
        }
        Path model = dir.resolve("m.richard");
        if (Files.exists(model)) {
            Models.load(model);                                             // throws if half-written
        }
        Path metrics = dir.resolve("m.richard.metrics.jsonl");
        if (Files.exists(metrics)) {
            List<String> lines = Files.readAllLines(metrics);
            for (int i = 0; i < lines.size() - 1; i++) {
                assertEquals(i + 1, JSON.readTree(lines.get(i)).get("epoch").asInt(), "metrics line " + (i + 1));
            }
        }
        return temporary;
    }

    private static void assertSameHistory(Path expected, Path actual, int epochs) throws IOException {
        List<String> want = Files.readAllLines(expected);
        List<String> got = Files.readAllLines(actual);
        assertEquals(epochs, want.size());
        assertEquals(epochs, got.size(), String.join("\n", got));
        for (int e = 0; e < epochs; e++) {
            JsonNode w = JSON.readTree(want.get(e));
            JsonNode g = JSON.readTree(got.get(e));
            for (String key : List.of("epoch", "samples", "meanCost", "testAccuracy", "testCost", "stopped")) {
                assertEquals(w.get(key), g.get(key), "epoch " + (e + 1) + " " + key);
            }
        }
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void temporaryFileNamesAreTheOnesThisTestExpects() {
        assertTrue(TEMPORARY.matcher(".m.richard.checkpoint.1234.7f3a9.tmp").matches());
        assertTrue(TEMPORARY.matcher(".m.richard.metrics.jsonl.1234.7f3a9.tmp").matches());
        assertTrue(TEMPORARY.matcher(".m.richard.lock").matches());
        assertTrue(TEMPORARY.matcher(".m.richard.checkpoint.lock").matches());
        assertTrue(TEMPORARY.matcher(".m.richard.23309.7c8cf1a5e65220d5.tmp").matches());
        assertFalse(TEMPORARY.matcher("m.richard.checkpoint").matches());
    }
}
