package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import io.richard.api.Parameter;
import io.richard.nd4j.Network;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Atomic replacement: the durability protocol, permissions, failures, leftovers, and readers during writes. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @AfterEach
    void resetObserver() {
        AtomicFiles.observer = AtomicFiles.observerNone();
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void contentIsForcedBeforeTheRenameAndTheDirectoryAfterIt() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicFiles.observer = new AtomicFiles.Observer() {
            @Override
            public void fileForced(Path temporary) {
                events.add("fsync " + temporary.getFileName() + " exists=" + Files.exists(temporary));
            }

            @Override
            public void renamed(Path temporary, Path target) {
                events.add("rename " + temporary.getFileName() + " -> " + target.getFileName());
            }

            @Override
            public void directoryForced(Path directory, boolean supported) {
                events.add("fsync dir " + directory.getFileName() + " " + supported);
            }
        };
        Path target = dir.resolve("model.richard");
        ModelArchive.save(target, Network.create(IoFixtures.denseModel(), 1), Map.of());
        assertEquals(3, events.size(), events.toString());
        String temporary = events.get(0).split(" ")[1];
        assertTrue(AtomicFiles.isTemporary(temporary), temporary);
        assertTrue(temporary.startsWith(".model.richard." + ProcessHandle.current().pid() + "."), temporary);
        // the directory is forced after the rename; whether a folder can be forced depends on the file system (most
        // Linux ones can; some refuse): where this one can, the save must have done it
        boolean forcible = directoryCanBeForced(dir);
        assertEquals(List.of("fsync " + temporary + " exists=true", "rename " + temporary + " -> model.richard",
                "fsync dir " + dir.getFileName() + " " + forcible), events,
                forcible ? "this file system forces folders" : "this file system refuses to force folders");
        assertEquals(List.of("model.richard"), names());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void savedModelsGetTheUsualPermissionsOfNewFiles() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        Path model = dir.resolve("m.richard");
        ModelArchive.save(model, Network.create(IoFixtures.denseModel(), 1), Map.of());
        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(plain);
        assertEquals(usual, Files.getPosixFilePermissions(model));
        assertTrue(usual.contains(PosixFilePermission.GROUP_READ) || !usual.contains(PosixFilePermission.OTHERS_READ),
                "with the usual umask 022 a model is 0644, readable by others: " + usual);
        Path reference = dir.resolve("m.bin");
        ReferenceNetworkFile.save(reference, Network.create(IoFixtures.denseModel(), 1));
        assertEquals(usual, Files.getPosixFilePermissions(reference));
    }

    @Test
    void aFailedWriteLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("keep.bin");
        Files.writeString(target, "old content");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, "test file",
                out -> {
                    out.write("half of the new".getBytes());
                    throw new IOException("disk full");
                }));
        assertEquals("cannot write test file " + target + ": java.io.IOException: disk full", e.getMessage());
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of("keep.bin"), names());
    }

    @Test
    void temporaryFilesOfDeadProcessesAreRemovedByTheNextWrite() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process finished = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        finished.getInputStream().readAllBytes();
        assertTrue(finished.waitFor(30, TimeUnit.SECONDS));
        long deadPid = finished.pid();
        long livePid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        Path stale = Files.writeString(dir.resolve(".w.bin." + deadPid + ".1f2e.tmp"), "half");
        Path busy = Files.writeString(dir.resolve(".w.bin." + livePid + ".3a4b.tmp"), "being written");
        Path other = Files.writeString(dir.resolve(".x.bin." + deadPid + ".5c6d.tmp"), "another target's");
        AtomicFiles.write(dir.resolve("w.bin"), "test file", out -> out.write(1));
        assertFalse(Files.exists(stale), "a killed writer's leftover is removed");
        assertTrue(Files.exists(busy), "a running process's temporary file is left alone");
        assertTrue(Files.exists(other), "other targets' temporary files are left alone");
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(dir.resolve("w.bin")));
    }

    /** Readers loading while a writer replaces the file see complete models only, each one that was written. */
    @Test
    void readersNeverSeeAPartialFile() throws Exception {
        Path target = dir.resolve("shared.richard");
        List<Network> versions = new ArrayList<>();
        for (int v = 0; v < 4; v++) {
            versions.add(Network.create(IoFixtures.convModel(), v + 1));
        }
        ModelArchive.save(target, versions.get(0), Map.of("version", "0"));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger loads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get()) {
                        SavedModel loaded = ModelArchive.load(target);
                        int version = Integer.parseInt(loaded.metadata().get("version"));
                        Parameter want = versions.get(version).layers().get(0).parameters().get(0);
                        Parameter got = loaded.network().layers().get(0).parameters().get(0);
                        assertEquals(want.value(), got.value(), "version " + version + " is complete");
                        loads.incrementAndGet();
                    }
                    return null;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                for (int i = 1; i <= 60; i++) {
                    ModelArchive.save(target, versions.get(i % 4), Map.of("version", Integer.toString(i % 4)));
                }
                return null;
            });
            writer.get(60, TimeUnit.SECONDS);
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        assertTrue(loads.get() > 0);
        assertEquals(List.of("shared.richard"), names(), "no temporary file is left behind");
    }

    private List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this file system lets a folder be forced to the disk (fsync of a directory opened for reading). */
    private static boolean directoryCanBeForced(Path directory) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
