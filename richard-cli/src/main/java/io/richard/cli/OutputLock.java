package io.richard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import io.richard.nd4j.io.OutputFiles;

/**
 * An advisory lock a run holds on one of its outputs from before it reads its data until its last write, so that a
 * second run writing the same file is refused instead of both overwriting each other's model, checkpoint and
 * metrics. The lock is a POSIX record lock ({@link FileChannel#tryLock}) on a hidden file {@code .NAME.lock} beside
 * the output (the output itself is replaced by a rename, so it cannot carry the lock). The file holds the process
 * id of its holder, for the message.
 *
 * <p>The operating system releases the lock when its process ends, however it ends: after {@code kill -9} the lock
 * file stays behind but is free, and the next run takes it over. A run deletes its lock file when it is done, while
 * still holding the lock. A run that locked the file just as it was deleted would hold a lock nobody else can see,
 * so after locking it checks that the name still leads to the file it locked (the same device and inode before
 * opening and after locking; the inode of a file still open cannot be reused) and otherwise tries again: two runs
 * never both believe they hold the lock. The lock file is never opened a second time while locked (closing any
 * descriptor of a file drops the process's POSIX locks on it).
 */
final class OutputLock implements AutoCloseable {

    private static final int ATTEMPTS = 20;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Object key;

    private OutputLock(Path file, FileChannel channel, FileLock lock, Object key) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.key = key;
    }

    /** The lock file of an output: {@code .NAME.lock} beside the file its symbolic links lead to. */
    static Path lockFile(Path output) {
        Path target = OutputFiles.resolve(output);
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code output}, or refuses at once when another run holds it.
     *
     * @param what   what the output is, e.g. "model"
     * @param option the option that names it, e.g. "-o", for the advice
     * @throws UsageException when another run holds the lock
     */
    static OutputLock acquire(Path output, String what, String option) {
        Path file = lockFile(output);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            FileChannel channel = null;
            try {
                try {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // left by an earlier run (free once its process ended) or held by a running one
                }
                Object before = key(file);
                if (before == null) {
                    continue;                                       // deleted meanwhile by a run that finished
                }
                try {
                    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (NoSuchFileException e) {
                    continue;
                }
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;                                    // held by another run in this same JVM
                }
                if (lock == null) {
                    String holder = holder(channel);
                    channel.close();
                    throw new UsageException("the " + what + " " + output + " is being written by another richard ("
                            + holder + ", which holds the lock " + file.getFileName() + "); wait for it to finish,"
                            + " or give " + option + " another file");
                }
                Object after = key(file);
                if (before.equals(after)) {                         // the name still leads to the file we locked
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                            .getBytes(StandardCharsets.UTF_8)), 0);
                    return new OutputLock(file, channel, lock, after);
                }
                lock.release();                                     // deleted (and maybe made again): try again
                channel.close();
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("cannot lock the " + what + " " + output + " (" + file + "): "
                        + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
        throw new UsageException("cannot lock the " + what + " " + output + ": its lock file " + file
                + " keeps disappearing; is another program deleting it?");
    }

    /** The identity of the file at {@code file} (device and inode on POSIX systems), or null when there is none. */
    private static Object key(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.fileKey() != null ? attributes.fileKey() : file.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** "process 1234" from the lock file's first word, read through the channel already open on it. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            channel.read(buffer, 0);
            String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
            return pid.matches("\\d+") ? "process " + pid : "another process";
        } catch (IOException e) {
            return "another process";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a failure: the failure is what is reported
            }
        }
    }

    /** Deletes the lock file (still holding the lock, and only if the name still leads to it), then releases it. */
    @Override
    public void close() {
        try {
            if (key.equals(key(file))) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a lock file left behind is harmless: the next run takes it over
        } finally {
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel's close releases it too
            }
            closeQuietly(channel);
        }
    }
}
