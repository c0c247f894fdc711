package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.richard.nd4j.io.OutputFiles;

/**
 * The files a command reads and writes, checked together before any work is done, so that no output destroys an
 * input or another output:
 *
 * <ul>
 *   <li>every output must be able to take an output ({@link OutputFiles#check}: a new or regular file, a FIFO or a
 *       character device; not a directory or a block device);</li>
 *   <li>no output that is a file may be the same file as an input or as another output. "The same" is decided by
 *       what the file system says, not by the names: the device and inode of existing files (so hard links,
 *       symbolic links, {@code ./x} and {@code x} all match), the real path of the folder for files not written yet.
 *       An existing file inside an input folder (an image folder, an MNIST folder) counts as an input too;</li>
 *   <li>FIFOs and character devices are streams, not files that can be destroyed: {@code -o /dev/null --metrics
 *       /dev/null} is allowed.</li>
 * </ul>
 *
 * <p>{@link #lock} then takes an {@link OutputLock} on every output that is a file, except those only appended to
 * (a log).
 */
final class RunFiles {

    /**
     * One file of a run.
     *
     * @param what   what it is, in words ("model", "training data")
     * @param option the option or argument that names it ("-o", "--data", "CONFIG"), for the advice
     * @param path   the path as given
     */
    record Entry(String what, String option, Path path, boolean locked) {
        @Override
        public String toString() {
            return "the " + what + " " + path + " (" + option + ")";
        }
    }

    private final List<Entry> inputs = new ArrayList<>();
    private final List<Entry> outputs = new ArrayList<>();
    private final Set<List<String>> allowed = new HashSet<>();

    /** An input; null paths and {@code -} (standard input) are left out. */
    RunFiles input(String what, String option, Path path) {
        if (path != null && !path.toString().equals("-")) {
            inputs.add(new Entry(what, option, path, false));
        }
        return this;
    }

    /** An output that the run locks while it works ({@link #lock}); null paths are left out. */
    RunFiles output(String what, String option, Path path) {
        if (path != null) {
            outputs.add(new Entry(what, option, path, true));
        }
        return this;
    }

    /** An output that is only appended to, by several runs at once if need be (a log); not locked. */
    RunFiles appended(String what, String option, Path path) {
        if (path != null) {
            outputs.add(new Entry(what, option, path, false));
        }
        return this;
    }

    /** Lets the output named by {@code outputOption} be the input named by {@code inputOption} (e.g. --checkpoint and --resume). */
    RunFiles allowSame(String outputOption, String inputOption) {
        allowed.add(List.of(outputOption, inputOption));
        return this;
    }

    /**
     * Checks every output and every pair of files.
     *
     * @throws OutputFiles.Refused when an output cannot be written (e.g. it is a directory)
     * @throws UsageException      when an output is the same file as an input or another output
     */
    void check() {
        check(false);
    }

    /** The same for the outputs that are only appended to (a log), which a command opens before the others. */
    void checkAppended() {
        check(true);
    }

    /** Checks the outputs (only those appended to, and any pair involving them, when {@code appendedOnly}). */
    private void check(boolean appendedOnly) {
        List<Entry> files = new ArrayList<>();
        List<Object> identities = new ArrayList<>();
        List<Entry> ordered = new ArrayList<>(outputs);
        ordered.sort(java.util.Comparator.comparing(Entry::locked));          // appended outputs first
        for (Entry output : ordered) {
            boolean checked = !appendedOnly || !output.locked();
            OutputFiles.Kind kind = checked ? OutputFiles.check(output.path(), output.what())
                    : OutputFiles.kind(output.path());
            if (kind == OutputFiles.Kind.STREAM) {
                continue;
            }
            Object identity = identity(output.path());
            for (Entry input : checked ? inputs : List.<Entry>of()) {
                if (allowed.contains(List.of(output.option(), input.option()))) {
                    continue;
                }
                if (identity.equals(identity(input.path()))) {
                    throw new UsageException(output + " is the same file as " + input + "; writing it would destroy"
                            + " the " + input.what() + ". Give " + output.option() + " another file");
                }
                Path folder = folder(input.path());
                if (folder != null && Files.exists(output.path()) && realPath(output.path()).startsWith(folder)) {
                    throw new UsageException(output + " is a file in the folder of " + input + "; writing it would"
                            + " change the " + input.what() + ". Give " + output.option() + " a file elsewhere");
                }
            }
            for (int i = 0; i < files.size(); i++) {
                if ((checked || !files.get(i).locked()) && identity.equals(identities.get(i))) {
                    throw new UsageException(output + " and " + files.get(i) + " are the same file; give each output"
                            + " a file of its own");
                }
            }
            files.add(output);
            identities.add(identity);
        }
    }

    /**
     * Creates the folders of the outputs that are files and locks them ({@link OutputLock}) until the returned
     * handle is closed.
     *
     * @throws UsageException when another run holds the lock of one of them
     */
    Locks lock() {
        Locks locks = new Locks();
        try {
            for (Entry output : outputs) {
                if (!output.locked() || OutputFiles.kind(output.path()) == OutputFiles.Kind.STREAM) {
                    continue;
                }
                Path folder = OutputFiles.resolve(output.path()).getParent();
                try {
                    Files.createDirectories(folder);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create the folder " + folder + " for the " + output.what()
                            + ": " + e, e);
                }
                locks.add(OutputLock.acquire(output.path(), output.what(), output.option()));
            }
            return locks;
        } catch (RuntimeException e) {
            locks.close();
            throw e;
        }
    }

    /** The locks of a run's outputs; closing releases them all (and deletes their lock files). */
    static final class Locks implements AutoCloseable {
        private final List<OutputLock> held = new ArrayList<>();

        private synchronized void add(OutputLock lock) {
            held.add(lock);
        }

        /** Releases every lock; safe to call again, and from another thread (a signal handler quitting). */
        @Override
        public synchronized void close() {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).close();
            }
            held.clear();
        }
    }

    /**
     * What the file system says a path is: the file key (device and inode) of an existing file after following
     * symbolic links, or the real path of its folder joined with its name when it does not exist yet.
     */
    static Object identity(Path path) {
        Path target = OutputFiles.resolve(path);
        try {
            BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class);
            return attributes.fileKey() != null ? attributes.fileKey() : target.toRealPath();
        } catch (NoSuchFileException e) {
            Path parent = target.getParent();
            try {
                return parent == null ? target : parent.toRealPath().resolve(target.getFileName());
            } catch (IOException folderMissing) {
                return target.normalize();
            }
        } catch (IOException e) {
            return target.normalize();
        }
    }

    /** The real path of an existing file, or its absolute path when that cannot be found. */
    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /** The real path of an input that is a folder, or null. */
    private static Path folder(Path input) {
        try {
            Path real = input.toRealPath();
            return Files.isDirectory(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }
}
