package io.richard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicInteger;
import io.richard.nd4j.Trainer;

/**
 * How a user stops training. Ctrl-C (SIGINT) once: stop after the current mini-batch, then save the model as
 * usual; Ctrl-C twice: quit at once (exit status 130) without saving. {@code q} + Enter on a terminal: stop after
 * the current epoch and save (the reference's behaviour). The Ctrl-C handler is installed only for the duration
 * of training and the previous one is restored afterwards; before and after it, Ctrl-C quits as usual.
 */
final class StopControl implements AutoCloseable {

    private final AtomicInteger interrupts = new AtomicInteger();
    private final Console console;
    private Object signal;
    private Object previousHandler;

    private StopControl(Console console) {
        this.console = console;
    }

    /**
     * @param signals handle Ctrl-C (the command line does; in-process callers such as tests may not want to)
     * @param stdin   watch standard input for {@code q} (only when it is a terminal)
     */
    static StopControl install(Trainer trainer, TrainingMonitor monitor, Console console, boolean signals,
                               boolean stdin) {
        StopControl control = new StopControl(console);
        if (signals) {
            control.handleInterrupt(() -> {
                if (control.interrupts.incrementAndGet() == 1) {
                    trainer.requestStop();
                    console.info("\nCtrl-C: stopping after this mini-batch and saving the model;"
                            + " press Ctrl-C again to quit without saving");
                } else {
                    console.info("\nCtrl-C again: quitting without saving");
                    console.close();
                    Runtime.getRuntime().halt(Errors.INTERRUPTED);
                }
            });
        }
        if (stdin) {
            Thread watcher = new Thread(() -> watchStdin(monitor, console), "richard-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        return control;
    }

    /** Whether Ctrl-C was pressed during training. */
    boolean interrupted() {
        return interrupts.get() > 0;
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

    /** Installs a SIGINT handler through sun.misc.Signal (module jdk.unsupported), by reflection. */
    private void handleInterrupt(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object interrupt = signalClass.getConstructor(String.class).newInstance("INT");
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "richard Ctrl-C handler";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            previousHandler = handle.invoke(null, interrupt, handler);
            signal = interrupt;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            console.debug("Ctrl-C handling is not available here (" + e + "); Ctrl-C will quit without saving");
        }
    }

    @Override
    public void close() {
        if (signal != null && previousHandler != null) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, previousHandler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                console.debug("could not restore the previous Ctrl-C handler: " + e);
            }
        }
    }
}
