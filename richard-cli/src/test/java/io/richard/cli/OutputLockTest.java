package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The advisory lock on an output, within one process (between processes: {@link SignalPropertyTest}). */
class OutputLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondWriterIsRefusedNamingTheHolderAndTheLockFileGoesWhenReleased() {
        Path model = dir.resolve("m.richard");
        try (OutputLock held = OutputLock.acquire(model, "model", "-o")) {
            assertTrue(Files.exists(dir.resolve(".m.richard.lock")));
            UsageException e = assertThrows(UsageException.class, () -> OutputLock.acquire(model, "model", "-o"));
            assertEquals("the model " + model + " is being written by another richard (process "
                    + ProcessHandle.current().pid() + ", which holds the lock .m.richard.lock); wait for it to finish,"
                    + " or give -o another file", e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve(".m.richard.lock")), "deleted when released");
        assertFalse(Files.exists(model), "the output itself is not created");
        OutputLock.acquire(model, "model", "-o").close();                  // free again
    }

    @Test
    void aLockFileLeftByAKilledRunIsTakenOverAndRemoved() throws IOException {
        Path stale = Files.writeString(dir.resolve(".m.richard.lock"), "99999999\n");
        try (OutputLock lock = OutputLock.acquire(dir.resolve("m.richard"), "model", "-o")) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(stale));
        }
        assertFalse(Files.exists(stale));
    }

    @Test
    void theLockOfALinkedOutputIsBesideTheFileTheLinkLeadsTo() throws IOException {
        Path real = Files.writeString(Files.createDirectories(dir.resolve("models")).resolve("run.richard"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("latest.richard"), real);
        try (OutputLock lock = OutputLock.acquire(link, "model", "-o")) {
            assertTrue(Files.exists(dir.resolve("models/.run.richard.lock")));
            assertThrows(UsageException.class, () -> OutputLock.acquire(real, "model", "-o"),
                    "the same file under its own name is locked too");
        }
    }

    @Test
    void twoTrainRunsOnTheSameModelInOneProcessAreRefusedTooAndTheFirstFinishes() throws Exception {
        Path config = Fixtures.csvProject(dir);
        Files.writeString(config, Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: 400"));
        Path model = dir.resolve("m.richard");
        Thread first = new Thread(() -> Fixtures.run("train", config.toString(), "-o", model.toString(),
                "--progress", "none", "--threads", "1"));
        first.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(dir.resolve(".m.richard.lock")) && System.nanoTime() < deadline && first.isAlive()) {
            Thread.sleep(20);
        }
        Fixtures.Result second = Fixtures.run("train", config.toString(), "-o", dir + "/./m.richard",
                "--progress", "none", "--metrics", dir.resolve("other.jsonl").toString());
        first.join(300_000);
        if (second.status() == 2) {
            assertTrue(second.err().contains("is being written by another richard"), second::toString);
        } else {
            // the first run had already finished: the lock was free again (a slow machine)
            assertEquals(0, second.status(), second::toString);
        }
        assertFalse(Files.exists(dir.resolve(".m.richard.lock")));
        String metrics = Files.readString(dir.resolve("m.richard.metrics.jsonl"));
        assertFalse(metrics.contains("\n\n") || metrics.startsWith("\n"), "no blank line in the metrics file");
    }
}
