package io.richard.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Waiting for child processes without wall-clock deadlines that a loaded machine misses. A child is given as long as
 * it keeps running (using CPU); it fails the test when it stalls (less than {@link #STALLED_CPU} of CPU time over
 * {@link #STALL_WINDOW} while its condition is not met: a deadlock or a wait for input) or when it has used more than
 * the CPU budget given (a loop). On 2 busy cores a JVM's start can take a minute of wall time; it never goes a minute
 * without running at all. A child the test gives up on is killed (with its own children) before the test fails, so
 * that it cannot go on training beside the rest of the suite.
 */
final class ChildProcesses {

    /** How long a child may run without using CPU before it counts as hung. */
    static final Duration STALL_WINDOW = Duration.ofSeconds(60);
    /** The CPU time below which a child is taken to be idle over {@link #STALL_WINDOW}. */
    static final Duration STALLED_CPU = Duration.ofMillis(20);
    /**
     * The last resort, for a hung child whose idle threads still use a little CPU, or where the system cannot tell a
     * process's CPU time: far beyond what any child here needs on a loaded machine (seconds of CPU each).
     */
    private static final Duration WALL_FALLBACK = Duration.ofMinutes(15);

    private ChildProcesses() {
    }

    /** Waits until {@code process} ends; fails if it stalls or uses more than {@code cpuBudget}. */
    static void awaitExit(Process process, Duration cpuBudget, String what) throws InterruptedException {
        awaitUntil(process, () -> false, cpuBudget, what);
    }

    /**
     * Waits until {@code condition} holds or {@code process} ends, whichever comes first; fails if the process stalls
     * or uses more than {@code cpuBudget} first. Returns true if the condition holds.
     */
    static boolean awaitUntil(Process process, BooleanSupplier condition, Duration cpuBudget, String what)
            throws InterruptedException {
        long start = System.nanoTime();
        long windowStart = start;
        long cpuAtWindowStart = cpuNanos(process);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!process.isAlive()) {
                return condition.getAsBoolean();
            }
            long cpu = cpuNanos(process);
            long now = System.nanoTime();
            if (cpu >= 0 && cpu > cpuBudget.toNanos()) {
                failAndKill(process, what + ": the process used more than " + cpuBudget.toSeconds() + " s of CPU");
            }
            if (now - start > WALL_FALLBACK.toNanos()) {
                failAndKill(process, what + ": not done after " + WALL_FALLBACK.toMinutes() + " minutes");
            }
            if (now - windowStart > STALL_WINDOW.toNanos()) {
                if (cpu >= 0 && cpu - cpuAtWindowStart < STALLED_CPU.toNanos()) {
                    failAndKill(process, what + ": the process has used no CPU for " + STALL_WINDOW.toSeconds()
                            + " s (hung)");
                }
                windowStart = now;
                cpuAtWindowStart = cpu;
            }
            Thread.sleep(20);
        }
    }

    private static void failAndKill(Process process, String message) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail(message);
    }

    /**
     * {@code command} so that the child acts on Ctrl-C (SIGINT) whatever this JVM inherited. A background job of a
     * non-interactive shell (`mvn test &` in a script) starts with SIGINT ignored; its children inherit that, and a
     * JVM installs no handler for a signal it was started ignoring, so the child would never see Ctrl-C (as POSIX
     * intends: the user asked for it to be ignored). Tests of Ctrl-C then restore the default in the child, with
     * coreutils' {@code env --default-signal=INT} (8.31 and later), and only then. Where the system cannot tell
     * (no /proc), the command is unchanged.
     */
    static List<String> actingOnCtrlC(List<String> command) {
        if (!sigintIgnored()) {
            return command;
        }
        List<String> restored = new ArrayList<>(List.of("env", "--default-signal=INT"));
        restored.addAll(command);
        return restored;
    }

    /** Whether this process ignores SIGINT: bit 1 (signal 2) of the SigIgn mask in /proc/self/status. */
    static boolean sigintIgnored() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0x2) != 0;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The process's CPU time so far (all its threads), or -1 where the system does not say. */
    static long cpuNanos(Process process) {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
