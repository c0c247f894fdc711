package io.richard.nd4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How every output is written: model archives, checkpoints and reference network files here, and the command line's
 * metrics, plots, logs and configs. One rule, decided by what is at the path:
 *
 * <ul>
 *   <li>nothing yet, or a <b>regular file</b>: replaced atomically ({@link AtomicFiles}: a temporary file beside it,
 *       forced to the disk, renamed over it). A <b>symbolic link</b> is followed: the file it points to is replaced
 *       and the link stays.</li>
 *   <li>a <b>FIFO</b> or a <b>character device</b> ({@code /dev/null}, {@code /dev/stdout}, a terminal, the pipe of
 *       {@code >(gzip > m.gz)}): written through, like {@code cp} or {@code curl -o} do. It is never renamed over
 *       nor deleted (as root, a rename would replace the device node itself). There is no old file to keep, so
 *       such a write is not atomic, and a FIFO blocks until something reads it.</li>
 *   <li>anything else (a directory, a block device, a socket): refused with an {@link Refused} naming the file,
 *       before anything is written.</li>
 * </ul>
 */
public final class OutputFiles {

    /** What is at an output path. */
    public enum Kind {
        /** Nothing: the file will be created (atomically). */
        NEW,
        /** A regular file: replaced atomically. */
        REGULAR,
        /** A FIFO or a character device: written through. */
        STREAM
    }

    /** Produces the content of an output. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** An output that cannot be written, with a one-line message naming the file and what it is. */
    public static final class Refused extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, new IOException(message));
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFSOCK = 0140000;
    private static final int MAX_LINKS = 40;

    private OutputFiles() {
    }

    /**
     * The path an output really goes to: absolute, with symbolic links followed. An existing file is asked of the
     * operating system (its real path); a link that leads to nothing yet is followed link by link (the file is then
     * created where it points). A link the system follows but that names no path ({@code /dev/stdout} or
     * {@code /dev/fd/63} leading to {@code pipe:[…]}) is kept as it is: opening it reaches the pipe.
     *
     * @throws Refused after 40 links (a loop)
     */
    public static Path resolve(Path file) {
        Path absolute = file.toAbsolutePath();
        if (Files.exists(absolute)) {
            try {
                return absolute.toRealPath();
            } catch (IOException e) {
                return absolute;                                       // a pipe or socket behind /proc/self/fd
            }
        }
        Path current = absolute;
        for (int i = 0; i < MAX_LINKS; i++) {
            if (!Files.isSymbolicLink(current)) {
                return current;
            }
            try {
                Path link = Files.readSymbolicLink(current);
                current = current.resolveSibling(link).normalize();
            } catch (IOException e) {
                throw new Refused("cannot read the symbolic link " + current + ": " + e.getMessage());
            }
        }
        throw new Refused("cannot write " + file + ": too many levels of symbolic links (a loop?)");
    }

    /**
     * Checks that {@code file} can take an output and says how it will be written; call it before the work that
     * produces the output. For a new or regular file the folder must exist (or be creatable: an existing ancestor
     * must be a folder) and be writable.
     *
     * @param what what the output is, for messages (e.g. "model", "metrics file")
     * @throws Refused naming the file and why it cannot be written
     */
    public static Kind check(Path file, String what) {
        Path target = resolve(file);
        Path existing = target.getParent();                                // the folder, or its nearest ancestor
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new Refused("cannot write the " + what + " " + file + ": " + existing + " is not a folder");
        }
        int type = type(target, file, what);
        switch (type) {
            case 0:
            case S_IFREG: {
                if (existing != null && !Files.isWritable(existing)) {
                    throw new Refused("cannot write the " + what + " " + file + ": the folder " + existing
                            + " is not writable");
                }
                return type == 0 ? Kind.NEW : Kind.REGULAR;
            }
            case S_IFIFO:
            case S_IFCHR:
                if (!Files.isWritable(target)) {
                    throw new Refused("cannot write the " + what + " " + file + ": permission denied");
                }
                return Kind.STREAM;
            case S_IFDIR:
                throw new Refused("cannot write the " + what + " " + file + ": it is a directory; give a file name");
            default:
                throw new Refused("cannot write the " + what + " " + file + ": it is " + describe(type) + "; outputs"
                        + " go to regular files (replaced atomically), FIFOs or character devices (written through)");
        }
    }

    /** The kind of what is at {@code file} now, without checking that it can be written. */
    public static Kind kind(Path file) {
        int type = type(resolve(file), file, "output");
        return type == 0 ? Kind.NEW : type == S_IFIFO || type == S_IFCHR ? Kind.STREAM : Kind.REGULAR;
    }

    /**
     * Writes an output by the rule of this class: atomically for a new or regular file (following a symbolic link),
     * through a FIFO or character device. On failure a regular file is left as it was.
     *
     * @param what what the output is, for messages (e.g. "model archive")
     * @throws Refused when the path cannot take an output (a directory, a block device, …)
     * @throws UncheckedIOException naming the file when writing fails (e.g. no space left on the device)
     */
    public static void write(Path file, String what, Content content) {
        Kind kind = check(file, what);
        if (kind != Kind.STREAM) {
            AtomicFiles.write(resolve(file), file, what, content::writeTo);
            return;
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(resolve(file),
                StandardOpenOption.WRITE), 1 << 16)) {
            content.writeTo(new NonClosing(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + what + " " + file + ": " + reason(e), e);
        }
    }

    /**
     * Opens an output that is written bit by bit (a log, metrics), by the same rule except for atomicity: a new or
     * regular file (through a symbolic link) is created or truncated ({@code append}: appended to), a FIFO or a
     * character device is written through.
     *
     * @throws Refused when the path cannot take an output
     * @throws UncheckedIOException naming the file when it cannot be opened
     */
    public static OutputStream open(Path file, String what, boolean append) {
        Kind kind = check(file, what);
        Path target = resolve(file);
        try {
            if (kind == Kind.STREAM) {
                return Files.newOutputStream(target, StandardOpenOption.WRITE);
            }
            Files.createDirectories(target.getParent());
            return append ? Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND) : Files.newOutputStream(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + what + " " + file + ": " + reason(e), e);
        }
    }

    /** The file type bits (S_IFMT) of what is at {@code target}, or 0 when nothing is there. */
    private static int type(Path target, Path file, String what) {
        try {
            Object mode = Files.getAttribute(target, "unix:mode");             // through a kept /proc link
            return ((Integer) mode) & S_IFMT;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no POSIX file types here (Windows): regular files, directories and "other"
            try {
                BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class);
                return attributes.isRegularFile() ? S_IFREG : attributes.isDirectory() ? S_IFDIR : -1;
            } catch (NoSuchFileException missing) {
                return 0;
            } catch (IOException other) {
                throw new Refused("cannot write the " + what + " " + file + ": " + reason(other));
            }
        } catch (IOException e) {
            throw new Refused("cannot write the " + what + " " + file + ": " + reason(e));
        }
    }

    private static String describe(int type) {
        return switch (type) {
            case S_IFBLK -> "a block device (a disk)";
            case S_IFSOCK -> "a socket";
            default -> "not a regular file, a FIFO or a character device";
        };
    }

    /** The reason of an I/O failure in words: "permission denied", "No space left on device", … */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Lets the content close its stream without closing the device before the buffer is flushed. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
