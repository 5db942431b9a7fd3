package eu.rempart.vault.backend.local;

import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;

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

    Path path(FileType type, String name) {
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
        Path target = path(type, name);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path dir = target.getParent();
        mkdir(dir);
        Path tmp = dir.resolve(TMP_PREFIX + name + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = posix
                    ? FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, FILE_PERMS);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDir(dir);
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
            ByteBuffer buf = ByteBuffer.allocate(len);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, start + buf.position());
                if (n < 0) {
                    throw new IOException(path(type, name) + ": unexpected end of file");
                }
            }
            return buf.array();
        }
    }

    @Override
    public long size(FileType type, String name) throws IOException {
        return Files.size(path(type, name));
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
