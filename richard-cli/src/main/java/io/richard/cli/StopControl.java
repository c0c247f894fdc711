package io.richard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a user, a job scheduler or a container runtime stops {@code richard train}. Ctrl-C (SIGINT) and SIGTERM (what
 * {@code timeout}, Slurm, Docker and Kubernetes send) mean the same:
 *
 * <ul>
 *   <li>the first one during training stops after the current mini-batch; the model (and a checkpoint, with
 *       {@code --checkpoint-every}) is saved as usual and the run says how far it got. Exit status 128 + the
 *       signal's number, as a shell reports a process that signal ended: {@link Errors#INTERRUPTED} (130) for
 *       Ctrl-C, {@link Errors#TERMINATED} (143) for SIGTERM, unless training was complete anyway (0);</li>
 *   <li>one before training has started (while the config and the data are read) quits at once: nothing was
 *       trained, nothing is written;</li>
 *   <li>one while the outputs are being written is noted: they are written whole;</li>
 *   <li>a second one quits at once without writing anything more, with the distinct status
 *       {@link Errors#QUIT_UNSAVED} (3), so a script can tell a saved stop from a lost run. Each output file is
 *       then its old version or its new one, never a mixture (they are written atomically).</li>
 * </ul>
 *
 * <p>Once the command is done, signals are ignored (it is returning its status). {@code q} + Enter on a terminal
 * stops after the current epoch and saves (the reference's behaviour).
 */
final class StopControl implements AutoCloseable {

    /** Where the command is. */
    enum Phase { PREPARING, TRAINING, SAVING, DONE }

    private final AtomicInteger signals = new AtomicInteger();
    private final AtomicReference<String> firstSignal = new AtomicReference<>();
    private final AtomicReference<Runnable> trainer = new AtomicReference<>();
    private final Console console;
    private final Runnable beforeQuitting;
    private volatile Phase phase = Phase.PREPARING;

    private StopControl(Console console, Runnable beforeQuitting) {
        this.console = console;
        this.beforeQuitting = beforeQuitting;
    }

    /**
     * Installs the handlers of SIGINT and SIGTERM, before the config is read.
     *
     * @param signals        handle the signals (the command line does; in-process callers such as tests do not)
     * @param beforeQuitting what to do before quitting at once (release the outputs' locks)
     */
    static StopControl install(Console console, boolean signals, Runnable beforeQuitting) {
        StopControl control = new StopControl(console, beforeQuitting);
        if (signals) {
            control.handle("INT");
            control.handle("TERM");
        }
        return control;
    }

    /**
     * Training starts: a signal now stops {@code trainer} after its mini-batch.
     *
     * @param stdin watch standard input for {@code q} (only when it is a terminal)
     */
    void training(Runnable requestStop, TrainingMonitor monitor, boolean stdin) {
        this.trainer.set(requestStop);
        phase = Phase.TRAINING;
        if (firstSignal.get() != null) {
            requestStop.run();                          // arrived between the two: stop at once
        }
        if (stdin) {
            Thread watcher = new Thread(() -> watchStdin(monitor, console), "richard-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** Training is over: the outputs are being written. */
    void saving() {
        phase = Phase.SAVING;
    }

    /** Whether a signal stopped training. */
    boolean interrupted() {
        return firstSignal.get() != null;
    }

    /** How the signal that stopped training is named in messages: "Ctrl-C" or "SIGTERM"; null if none did. */
    String signalName() {
        String signal = firstSignal.get();
        return signal == null ? null : name(signal);
    }

    /** The exit status of a run stopped by the first signal: 130 for Ctrl-C, 143 for SIGTERM. */
    int status() {
        return "TERM".equals(firstSignal.get()) ? Errors.TERMINATED : Errors.INTERRUPTED;
    }

    private static String name(String signal) {
        return signal.equals("INT") ? "Ctrl-C" : "SIG" + signal;
    }

    private void signalled(String signal) {
        if (phase == Phase.DONE) {
            return;                                     // everything is written; the command is returning its status
        }
        String name = name(signal);
        firstSignal.compareAndSet(null, signal);
        if (signals.incrementAndGet() > 1) {
            String first = firstSignal.get();
            quit("\n" + name + (signal.equals(first) ? " again" : " after " + name(first))
                    + ": quitting without saving");
        }
        String again = signal.equals("INT") ? "press Ctrl-C again" : "send SIGTERM (or Ctrl-C) again";
        switch (phase) {
            case PREPARING -> quit("\n" + name + " before training started: quitting; nothing was written");
            case TRAINING -> {
                Runnable running = trainer.get();
                if (running != null) {
                    running.run();
                }
                console.info("\n" + name + ": stopping after this mini-batch and saving the model; " + again
                        + " to quit without saving");
            }
            case SAVING -> console.info("\n" + name + ": the outputs are being written and will be whole; " + again
                    + " to quit without finishing them");
            default -> { }
        }
    }

    /** Quits at once with {@link Errors#QUIT_UNSAVED}: no output is written any further. */
    private void quit(String message) {
        try {
            console.info(message);
            beforeQuitting.run();
            console.close();
        } catch (RuntimeException e) {
            // quitting anyway
        } finally {
            Runtime.getRuntime().halt(Errors.QUIT_UNSAVED);
        }
    }

    private static void watchStdin(TrainingMonitor monitor, Console console) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equalsIgnoreCase("q")) {
                    monitor.stopAfterEpoch();
                    console.info("q: stopping after this epoch");
                    return;
                }
            }
        } catch (IOException ignored) {
            // no terminal to read from: nothing to watch
        }
    }

    /** Installs a handler of one signal through sun.misc.Signal (module jdk.unsupported), by reflection. */
    private void handle(String name) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            signalled(name);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "richard " + name + " handler";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signal, handler);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            console.debug("SIG" + name + " handling is not available here (" + e + "); it will quit without saving");
        }
    }

    /**
     * The command is done (its outputs are written, or it failed): from now on signals are ignored, so that the exit
     * status always tells what was written. The handlers stay installed until the process exits (restoring the
     * JVM's would leave a moment in which a signal ends a finished run with 130 or 143).
     */
    @Override
    public void close() {
        phase = Phase.DONE;
    }
}
