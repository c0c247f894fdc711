package io.richard.nd4j.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file so that a crash or an error never leaves a half-written file in its place: the content goes to
 * a temporary file in the same directory, is forced to the disk ({@code fsync}), replaces the target in one
 * rename, and the directory is forced too so that the rename itself survives a power cut. A reader opening the
 * target sees the old file or the new one, never a part of either.
 *
 * <p>Temporary files are hidden and named {@code .<name>.<pid>.<random>.tmp}, so nothing mistakes them for a
 * model. A process killed while writing (kill -9) leaves its temporary file behind; the next write to the same
 * target removes those of processes that no longer run.
 *
 * <p>Only ever renames over a regular file (or creates a new one): {@link OutputFiles} decides what an output path
 * is, follows symbolic links and writes FIFOs and devices through.
 *
 * <p>The finished file gets the permissions of any new file the user creates (0666 minus the umask, usually
 * 0644), not the owner-only permissions of {@link Files#createTempFile}.
 */
final class AtomicFiles {

    /** Produces the content of a file. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What a write did, step by step; for tests that check the durability protocol. */
    interface Observer {
        void fileForced(Path temporary);

        void renamed(Path temporary, Path target);

        void directoryForced(Path directory, boolean supported);
    }

    private static final Observer NONE = new Observer() {
        @Override
        public void fileForced(Path temporary) {
        }

        @Override
        public void renamed(Path temporary, Path target) {
        }

        @Override
        public void directoryForced(Path directory, boolean supported) {
        }
    };

    static volatile Observer observer = NONE;

    /** The observer that does nothing (the default). */
    static Observer observerNone() {
        return NONE;
    }

    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to {@code target} atomically. On any failure the target is left as it was and the
     * temporary file is removed.
     *
     * @param what what the file is, for messages (e.g. "model archive")
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    static void write(Path target, String what, Content content) {
        write(target.toAbsolutePath(), target, what, content);
    }

    /**
     * Writes {@code content} to {@code target} atomically, naming the file {@code shown} in messages (the path as the
     * user gave it, when {@code target} is where its symbolic links lead). Never renames over anything but a regular
     * file: {@link OutputFiles} writes FIFOs and devices through instead.
     */
    static void write(Path target, Path shown, String what, Content content) {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        String name = absolute.getFileName().toString();
        if (CLEANED.add(absolute)) {
            removeStaleTemporaries(directory, name);
        }
        Path temporary;
        try {
            temporary = createTemporary(directory, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " " + shown + ": cannot create a temporary file"
                    + " in " + directory + " (" + e + ")", e);
        }
        boolean moved = false;
        Observer watcher = observer;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                });
                out.flush();
                channel.force(true);                                       // the content is on the disk …
                watcher.fileForced(temporary);
            }
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw new OutputFiles.Refused("cannot write " + what + " " + shown + ": it is no longer a regular file"
                        + " (something replaced it while it was being written); it was left alone");
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;                                                  // … before it gets the target's name
            watcher.renamed(temporary, absolute);
            watcher.directoryForced(directory, forceDirectory(directory)); // … and the new name is on the disk
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " " + shown + ": " + e, e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // The write already failed; that failure is the one to report.
                }
            }
        }
    }

    private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.(\\d+)\\.[0-9a-f]+\\.tmp");

    /** Whether a file name is one of the temporary files this class writes. */
    static boolean isTemporary(String fileName) {
        return TEMPORARY.matcher(fileName).matches();
    }

    /**
     * A new empty file {@code .<name>.<pid>.<random>.tmp} beside the target. Unlike {@link Files#createTempFile} it
     * gets the default permissions of new files, so the finished file is as readable as any other the user writes.
     */
    private static Path createTemporary(Path directory, String name) throws IOException {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path candidate = directory.resolve("." + name + "." + pid + "." + Long.toHexString(
                    ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** Deletes the temporary files of {@code name} left by processes that no longer run (killed while writing). */
    static void removeStaleTemporaries(Path directory, String name) {
        String glob = "." + name.replaceAll("[\\\\*?\\[\\]{}]", "\\\\$0") + ".*.tmp";
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(directory, glob)) {
            for (Path candidate : candidates) {
                Matcher m = TEMPORARY.matcher(candidate.getFileName().toString());
                if (!m.matches() || !m.group(1).equals(name)) {
                    continue;
                }
                long pid = Long.parseLong(m.group(2));
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)) {
                    continue;                                              // another process is writing it now
                }
                if (pid == ProcessHandle.current().pid()) {
                    continue;                                              // one of ours, being written
                }
                Files.deleteIfExists(candidate);
            }
        } catch (IOException | RuntimeException e) {
            // Only tidying: a leftover temporary file is harmless (hidden, never read as a model).
        }
    }

    /**
     * Makes the rename durable where the platform allows opening a directory (POSIX); elsewhere does nothing.
     * Returns whether the directory could be forced.
     */
    private static boolean forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;                                                  // Windows; the rename is still atomic
        }
    }
}
