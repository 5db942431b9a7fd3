package eu.rempart.vault.backend.local;

import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.fs.DirectFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A repository in a local directory, in restic's default layout ({@code data/xx/<id>}).
 * Files are written to a temporary name, synced, made read-only and renamed into place, so a
 * crash or a full disk never leaves a partial file under a valid name.
 */
public final class LocalBackend implements Backend {
    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("r--------");
    private static final String TMP_PREFIX = ".rempart-tmp-";

    private final Path root;
    private final boolean posix;

    public LocalBackend(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.posix = this.root.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    /** Where a file lies in restic's default layout under this directory. */
    public Path path(FileType type, String name) {
        return switch (type) {
            case CONFIG -> root.resolve("config");
            case PACK -> root.resolve("data").resolve(name.substring(0, 2)).resolve(name);
            default -> root.resolve(type.dir()).resolve(name);
        };
    }

    @Override
    public void create() throws IOException {
        if (Files.exists(root.resolve("config"))) {
            throw new FileAlreadyExistsException(root.resolve("config").toString(), null, "repository already exists");
        }
        mkdir(root);
        for (FileType t : FileType.values()) {
            if (t != FileType.CONFIG) {
                mkdir(root.resolve(t.dir()));
            }
        }
        for (int i = 0; i < 256; i++) {
            mkdir(root.resolve("data").resolve(String.format("%02x", i)));
        }
    }

    private void mkdir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
        } else {
            Files.createDirectories(dir);
        }
    }

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        try (Pending p = new Pending(tmpDir(type))) {
            p.write(data, 0, data.length);
            p.commit(type, name);
        }
    }

    /**
     * Streams a file into a temporary name in the type's directory (restic ignores names that are
     * not ids); packs go to {@code data/} itself, their final subdirectory being unknown until the end.
     */
    @Override
    public PendingFile create(FileType type) throws IOException {
        Pending p = new Pending(tmpDir(type));
        return new PendingFile() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                p.write(b, off, len);
            }

            @Override
            public long size() {
                return p.size();
            }

            @Override
            public void commit(String name) throws IOException {
                p.commit(type, name);
            }

            @Override
            public void close() throws IOException {
                p.close();
            }
        };
    }

    /**
     * Where a file of this type is written before it is renamed into place: the type's top folder
     * (data/ for packs, not data/XX/), so that {@link #removeAbandoned} finds leftovers without
     * listing 256 folders.
     */
    private Path tmpDir(FileType type) {
        return type == FileType.PACK ? root.resolve("data") : path(type, "xx").getParent();
    }

    /** A temporary file: written, synced, made read-only, then renamed into place, or deleted. */
    private final class Pending implements AutoCloseable {
        /** Writes go through the JDK's per-thread direct buffer: slices keep that buffer small. */
        private static final int SLICE = 256 * 1024;
        private final Path tmp;
        private final DirectFiles.SequentialWriter out;
        private boolean committed;

        Pending(Path dir) throws IOException {
            mkdir(dir);
            tmp = dir.resolve(TMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            Set<StandardOpenOption> opts = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            // Direct I/O where possible: packs are written once and not read back soon.
            out = posix
                    ? DirectFiles.newWriter(tmp, opts,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : DirectFiles.newWriter(tmp, opts);
        }

        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        long size() {
            return out.size();
        }

        void commit(FileType type, String name) throws IOException {
            Path target = path(type, name);
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            out.force();
            out.close();
            if (posix) {
                Files.setPosixFilePermissions(tmp, FILE_PERMS);
            }
            Path dir = target.getParent();
            mkdir(dir);
            publish(tmp, target);
            committed = true;
            syncDir(dir);
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                try {
                    out.abandon();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    /**
     * Gives the temporary file its final name without ever replacing a file of that name (a rename
     * would): a hard link fails if the name exists, even when two writers race, which the append-only
     * vault server relies on. File systems without hard links get an atomic rename after the check.
     */
    private static void publish(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(tmp);
    }

    private static void syncDir(Path dir) {
        // Makes the rename durable; not every platform can open a directory, which is harmless.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }

    @Override
    public byte[] load(FileType type, String name) throws IOException {
        return Files.readAllBytes(path(type, name));
    }

    @Override
    public byte[] load(FileType type, String name, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(path(type, name), StandardOpenOption.READ)) {
            long size = ch.size();
            long start = offset;
            int len = length;
            if (offset < 0) {
                len = (int) Math.min(length, size);
                start = size - len;
            } else if (offset + length > size) {
                throw new IOException(path(type, name) + ": read of " + length + " bytes at " + offset
                        + " beyond end of file (" + size + " bytes)");
            }
            byte[] out = new byte[len];
            readFully(ch, start, out, 0, len, type, name);
            return out;
        }
    }

    @Override
    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(dstOff, length, dst.length);
        if (type == FileType.PACK) {
            // Scattered blob reads (a restore): direct I/O spares the page-cache copy. Measured on
            // the 3 GB benchmark: restore 8.8 s against 9.2 s buffered, with half the system time.
            DirectFiles.readAt(path(type, name), offset, dst, dstOff, length);
            return;
        }
        readSequential(type, name, offset, dst, dstOff, length);
    }

    /** Buffered: the kernel's read-ahead keeps the disk busy (check ran 20 % slower with direct I/O). */
    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        java.util.Objects.checkFromIndexSize(dstOff, length, dst.length);
        try (FileChannel ch = FileChannel.open(path(type, name), StandardOpenOption.READ)) {
            readFully(ch, offset, dst, dstOff, length, type, name);
        }
    }

    /** Reads in slices: the JDK copies through a per-thread direct buffer as large as each read. */
    private void readFully(FileChannel ch, long pos, byte[] dst, int off, int len, FileType type, String name)
            throws IOException {
        int done = 0;
        while (done < len) {
            int n = ch.read(ByteBuffer.wrap(dst, off + done, Math.min(Pending.SLICE, len - done)), pos + done);
            if (n < 0) {
                throw new java.io.EOFException(path(type, name) + ": unexpected end of file");
            }
            done += n;
        }
    }

    @Override
    public long size(FileType type, String name) throws IOException {
        return Files.size(path(type, name));
    }

    @Override
    public boolean readsAreCheap() {
        return true;
    }

    @Override
    public boolean exists(FileType type, String name) {
        return Files.exists(path(type, name));
    }

    @Override
    public List<FileInfo> list(FileType type) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        if (type == FileType.CONFIG) {
            Path p = path(type, "config");
            if (Files.exists(p)) {
                out.add(new FileInfo("config", Files.size(p)));
            }
            return out;
        }
        Path dir = root.resolve(type.dir());
        if (!Files.isDirectory(dir)) {
            return out;
        }
        if (type == FileType.PACK) {
            try (DirectoryStream<Path> subs = Files.newDirectoryStream(dir)) {
                for (Path sub : subs) {
                    if (Files.isDirectory(sub)) {
                        listInto(sub, out);
                    }
                }
            }
        } else {
            listInto(dir, out);
        }
        return out;
    }

    private static void listInto(Path dir, List<FileInfo> out) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(TMP_PREFIX) || name.startsWith(".")) {
                    continue;
                }
                try {
                    out.add(new FileInfo(name, Files.size(f)));
                } catch (NoSuchFileException gone) {
                    // removed concurrently (e.g. a lock released): not an error
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    @Override
    public int removeAbandoned(java.time.Duration olderThan) throws IOException {
        long limit = System.currentTimeMillis() - olderThan.toMillis();
        List<Path> dirs = new ArrayList<>();
        for (FileType t : FileType.values()) {
            if (t != FileType.CONFIG) {
                dirs.add(root.resolve(t.dir()));
            }
        }
        int removed = 0;
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
                for (Path f : files) {
                    try {
                        if (Files.getLastModifiedTime(f).toMillis() < limit && Files.deleteIfExists(f)) {
                            removed++;
                        }
                    } catch (NoSuchFileException gone) {
                        // committed or removed meanwhile
                    }
                }
            } catch (NoSuchFileException e) {
                // no such directory: nothing to clean
            }
        }
        return removed;
    }

    @Override
    public void remove(FileType type, String name) throws IOException {
        Path p = path(type, name);
        Files.delete(p);
        syncDir(p.getParent());
    }

    @Override
    public void close() {
        // nothing to release
    }
}
