package io.richard.cli;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import io.richard.api.ConfigException;
import io.richard.api.DataException;
import io.richard.api.ModelFormatException;
import io.richard.api.RichardException;
import io.richard.nd4j.MemoryEstimate;
import io.richard.nd4j.io.Models;
import io.richard.nd4j.io.SavedModel;

/**
 * One input named on the command line, read once from its start: a regular file, a pipe, a process substitution
 * ({@code <(…)}, a {@code /dev/fd/N} path), a device, or {@code -} for standard input. What kind of content it has
 * is recognised from its first bytes ({@link #head()}), which are kept in a buffer and handed out again with the
 * rest ({@link #stream()}), so nothing is read twice from a source that cannot be read twice. Reads are bounded
 * where the content is held whole ({@link #readAll}, {@link #withFile}).
 *
 * <p>Readers that need a file (random access, or a file beside it) get the regular file itself; content from
 * anything else is first copied to a private temporary file, and messages that name that file name the input
 * instead.
 */
final class Input implements Closeable {

    /** What names standard input on the command line. */
    static final String STANDARD_INPUT = "-";
    /** How many first bytes are kept for recognising the content. */
    static final int HEAD = 64 * 1024;

    /** Standard input: {@link System#in}, or what an in-process run of the command gives. */
    private static volatile InputStream standardInput = System.in;

    private final Path path;
    private final String name;
    private final boolean regular;
    private final long length;
    private final BufferedInputStream stream;
    private byte[] head;
    private boolean handedOut;

    private Input(Path path, String name, boolean regular, long length, InputStream stream) {
        this.path = path;
        this.name = name;
        this.regular = regular;
        this.length = length;
        this.stream = new BufferedInputStream(stream, HEAD + 1);
    }

    /** Sets what {@code -} reads (the command line's standard input). */
    static void standardInput(InputStream in) {
        standardInput = in;
    }

    /** How messages and results name a command-line input: the path as given, or "standard input" for {@code -}. */
    static String name(Path path) {
        return isStandardInput(path) ? "standard input" : String.valueOf(path);
    }

    /** Whether a command-line path is {@code -}, standard input. */
    static boolean isStandardInput(Path path) {
        return path != null && path.toString().equals(STANDARD_INPUT);
    }

    /**
     * Opens {@code path} ({@code -}: standard input) for reading once.
     *
     * @param what what the input is, for messages ("config", "model file", "data")
     * @throws DataException if it does not exist, is a directory or cannot be opened
     */
    static Input open(Path path, String what) {
        if (isStandardInput(path)) {
            return new Input(null, "standard input", false, -1, new UncloseableStream(standardInput));
        }
        if (Files.isDirectory(path)) {
            throw new DataException(path + ": is a directory, not a " + what);
        }
        try {
            boolean regular = Files.isRegularFile(path);
            long length = regular ? Files.size(path) : -1;
            // A FileInputStream, not Files.newInputStream: the latter's available() seeks, which a pipe refuses.
            InputStream in = regular ? Files.newInputStream(path) : new java.io.FileInputStream(path.toFile());
            return new Input(path, path.toString(), regular, length, in);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            if (Files.exists(path) && !Files.isReadable(path)) {
                throw new DataException(path + ": permission denied");
            }
            if (!Files.exists(path)) {
                throw new DataException(path + ": no such " + what);
            }
            throw new DataException(path + ": cannot read the " + what + ": " + e.getMessage(), e);
        } catch (AccessDeniedException e) {
            throw new DataException(path + ": permission denied");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    /** The input as messages name it: the path as given, or "standard input". */
    String name() {
        return name;
    }

    /** The regular file, if the input is one (not a pipe, device or standard input). */
    Optional<Path> regularFile() {
        return regular ? Optional.of(path) : Optional.empty();
    }

    /** The length in bytes of a regular file; -1 for anything else. */
    long length() {
        return length;
    }

    /** The first bytes (up to {@link #HEAD}; fewer if the input is shorter), without consuming them. */
    byte[] head() {
        if (head == null) {
            try {
                stream.mark(HEAD + 1);
                head = stream.readNBytes(HEAD);
                stream.reset();
            } catch (IOException e) {
                throw new DataException(name + ": cannot read: " + e.getMessage(), e);
            }
        }
        return head;
    }

    /** The whole content from its first byte; can be taken once. */
    InputStream stream() {
        if (handedOut) {
            throw new IllegalStateException(name + " was already read");
        }
        handedOut = true;
        return stream;
    }

    /**
     * The whole content, at most {@code max} bytes.
     *
     * @param what  what the input should be, for the message about a larger one ("a config")
     * @param about what such an input usually holds ("a few KB of YAML or JSON")
     * @throws ConfigException if there is more (an endless device like {@code /dev/zero} ends here)
     */
    byte[] readAll(int max, String what, String about) {
        if (length > max) {
            throw new ConfigException(name + ": the file has " + MemoryEstimate.bytes(length) + ", more than the "
                    + MemoryEstimate.bytes(max) + " " + what + " may have (" + about + ")");
        }
        try (InputStream in = stream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new ConfigException(name + ": more than " + MemoryEstimate.bytes(max) + " to read, more than "
                        + what + " may have (" + about + "); stopped reading");
            }
            return bytes;
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code reader} on a file holding the content: the regular file itself, or a private temporary copy
     * of at most {@code max} bytes that is deleted afterwards. A message that names the copy names the input.
     */
    <T> T withFile(long max, String what, Function<Path, T> reader) {
        if (regular) {
            return reader.apply(path);
        }
        Path copy = null;
        try {
            copy = Files.createTempFile("richard-input-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            copy.toFile().deleteOnExit();
            long copied = copy(copy, max);
            if (copied > max) {
                throw new DataException(name + ": more than " + MemoryEstimate.bytes(max) + " to read, more than " + what
                        + " may have; stopped reading (give the file itself, not a pipe)");
            }
            try {
                return reader.apply(copy);
            } catch (RichardException e) {
                throw renamed(e, copy.toString(), name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + name + " to a temporary file: " + e.getMessage(), e);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // deleted at exit
                }
            }
        }
    }

    /** Copies the content into {@code file}, at most {@code max} + 1 bytes; returns how many were copied. */
    private long copy(Path file, long max) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try (InputStream in = stream(); OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while (total <= max && (n = in.read(buffer, 0, (int) Math.min(buffer.length, max + 1 - total))) > 0) {
                out.write(buffer, 0, n);
                total += n;
            }
        }
        return total;
    }

    /** The same exception with {@code from} replaced by {@code to} in its message. */
    private static RichardException renamed(RichardException e, String from, String to) {
        String message = e.getMessage() == null ? null : e.getMessage().replace(from, to);
        RichardException copy;
        if (e instanceof ModelFormatException) {
            copy = new ModelFormatException(message, e);
        } else if (e instanceof ConfigException) {
            copy = new ConfigException(message, e);
        } else if (e instanceof DataException) {
            copy = new DataException(message, e);
        } else {
            copy = new RichardException(message, e);
        }
        return copy;
    }

    /** The most a model file read through a pipe may hold (it is copied to a temporary file first). */
    static final long MAX_MODEL_BYTES = 4L << 30;
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /**
     * Loads a model archive, checkpoint-as-model or reference network file from {@code path} ({@code -}: standard
     * input). A regular file is read as ever; a pipe is copied to a temporary file first, but only if its first
     * bytes look like a model, so an endless or foreign input is refused after its first bytes.
     */
    static SavedModel loadModel(Path path) {
        if (!isStandardInput(path) && (Files.isRegularFile(path) || !Files.exists(path) || Files.isDirectory(path))) {
            return Models.load(path);                                     // the file's own messages, as ever
        }
        try (Input input = open(path, "model file")) {
            return loadModel(input);
        }
    }

    /** {@link #loadModel(Path)} for an input already open (whose first bytes may have been looked at). */
    static SavedModel loadModel(Input input) {
        if (input.regularFile().isPresent()) {
            return Models.load(input.regularFile().get());
        }
        if (!input.startsWith(ZIP_MAGIC) && !referenceNetworkFile(input.head())) {
            byte[] head = input.head();
            StringBuilder bytes = new StringBuilder();
            for (int i = 0; i < Math.min(8, head.length); i++) {
                bytes.append(String.format(" %02x", head[i] & 0xff));
            }
            throw new ModelFormatException(input.name() + " is neither a Richard model archive (a ZIP file,"
                    + " starting with PK) nor a network file of the C++ Richard (an 8-byte config length, then"
                    + " JSON): " + (head.length == 0 ? "it is empty" : "it starts with bytes" + bytes));
        }
        return input.withFile(MAX_MODEL_BYTES, "a model file", Models::load);
    }

    /** Whether bytes start like the C++ program's network file: a little-endian config length, then JSON. */
    private static boolean referenceNetworkFile(byte[] head) {
        if (head.length < 9) {
            return false;
        }
        long length = java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return length > 1 && length <= 64 << 20 && head[8] == '{';
    }

    /** Whether the first bytes start with {@code prefix}. */
    boolean startsWith(byte[] prefix) {
        byte[] first = head();
        return first.length >= prefix.length && Arrays.equals(first, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException ignored) {
            // only read from
        }
    }

    /** Standard input, which closing an input must not close. */
    private static final class UncloseableStream extends java.io.FilterInputStream {
        UncloseableStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // standard input stays open for the rest of the process
        }
    }
}
