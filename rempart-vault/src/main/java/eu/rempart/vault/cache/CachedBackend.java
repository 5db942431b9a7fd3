package eu.rempart.vault.cache;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.fs.OwnerOnly;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A remote repository (REST, S3) with a local copy of what every command reads again: index and
 * snapshot files and the packs holding tree blobs, as restic's cache keeps them. Without it each
 * backup downloaded the whole index and every tree of its parent snapshot, which over a practice's
 * internet line grows with the repository.
 *
 * <p>The copies are the repository's files as stored (encrypted), in {@code <base>/<repository
 * id>/} with restic's layout, directories 0700 and files 0600. They are checked against their
 * name (a SHA-256) before use, at most once per pack and process; a copy that fails is removed and
 * fetched again, so a damaged cache costs a download, never a wrong result. Index and snapshot
 * copies the repository no longer lists are removed when it is listed, tree packs the index no
 * longer names when the index is loaded ({@link #packsIndexed}), and the caches of repositories
 * not opened for {@link #UNUSED} whenever another is opened. Writing a copy is best effort: a
 * full or read-only cache never fails an operation on the repository.
 */
public final class CachedBackend implements Backend {
    private static final String TAG_NAME = "CACHEDIR.TAG";
    /** The Cache Directory Tagging Specification's signature. */
    private static final String TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by Rempart.\n"
            + "# For information about cache directory tags, see https://bford.info/cachedir/\n";
    private static final String TEMP_PREFIX = "tmp-";

    private final Backend remote;
    private final Path dir;
    /** The copies, read as any repository directory in restic's layout. */
    private final LocalBackend copies;
    /** Tree packs whose copy was checked in this process. */
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    /** One fetch at a time per tree pack: readers of the same pack wait for the first. */
    private final ConcurrentHashMap<String, Object> fetching = new ConcurrentHashMap<>();

    private CachedBackend(Backend remote, Path dir) {
        this.remote = remote;
        this.dir = dir;
        this.copies = new LocalBackend(dir);
    }

    /**
     * Wraps {@code remote} with the cache of the repository {@code repositoryId} under {@code base}
     * (see {@link #prepare}).
     */
    public static CachedBackend open(Backend remote, Path base, String repositoryId) throws IOException {
        if (!storageId(repositoryId)) {
            throw new IOException("repository id unfit for a cache directory: " + repositoryId);
        }
        prepare(base);
        Path d = base.resolve(repositoryId);
        OwnerOnly.createDirectories(d);
        touch(d);
        removeUnused(base, repositoryId, UNUSED);
        return new CachedBackend(remote, d);
    }

    /**
     * How long the cache of a repository may go unused before it is removed (restic's
     * {@code cache --cleanup} uses the same age): a practice that moved its off-site copy elsewhere
     * does not keep the old one's index and trees forever.
     */
    static final Duration UNUSED = Duration.ofDays(30);

    /** Marks a cache or key file copy as used now. */
    private static void touch(Path p) {
        try {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(Instant.now()));
        } catch (IOException e) {
            // then it looks older than it is: at worst it is fetched again after UNUSED
        }
    }

    /** A repository's cache under a cache base directory, as {@code rempart cache} lists it. */
    public record Entry(String repositoryId, Instant lastUsed, long bytes) {
    }

    /**
     * The repository caches under {@code base} (none if it does not exist), most recently used
     * first; {@code sizes} false leaves every size at 0 without walking the directories.
     */
    public static List<Entry> list(Path base, boolean sizes) throws IOException {
        List<Entry> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(base)) {
            return out;
        }
        try (DirectoryStream<Path> repos = Files.newDirectoryStream(base)) {
            for (Path r : repos) {
                String n = r.getFileName().toString();
                if (storageId(n) && Files.isDirectory(r, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.add(new Entry(n, Files.getLastModifiedTime(r).toInstant(), sizes ? sizeOf(r) : 0));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Entry::lastUsed).reversed());
        return out;
    }

    private static long sizeOf(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Removes the repository caches and key file copies under {@code base} not used for
     * {@code age} (restic's {@code cache --cleanup}); returns the ids of the repositories whose
     * cache went.
     */
    public static List<String> removeUnused(Path base, Duration age) {
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        return removeUnused(base, null, age);
    }

    /**
     * Removes the caches of repositories other than {@code keep}, and the key file copies, not
     * used for {@code age}; best effort for each.
     */
    private static List<String> removeUnused(Path base, String keep, Duration age) {
        Instant limit = Instant.now().minus(age);
        List<String> removed = new java.util.ArrayList<>();
        try (DirectoryStream<Path> repos = Files.newDirectoryStream(base)) {
            for (Path r : repos) {
                String n = r.getFileName().toString();
                if (!n.equals(keep) && storageId(n) && Files.isDirectory(r, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(r).toInstant().isBefore(limit)) {
                    deleteTree(r);
                    removed.add(n);
                }
            }
        } catch (IOException e) {
            // left for the next time
        }
        try (DirectoryStream<Path> keys = Files.newDirectoryStream(base.resolve("keys"))) {
            for (Path k : keys) {
                if (storageId(k.getFileName().toString()) && Files.getLastModifiedTime(k).toInstant().isBefore(limit)) {
                    Files.deleteIfExists(k);
                }
            }
        } catch (IOException e) {
            // none yet, or left for the next time
        }
        return removed;
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Files.deleteIfExists(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Creates the cache base directory (owner-only) with its CACHEDIR.TAG, so that backup tools
     * that honour the tag ({@code restic --exclude-caches}, {@code tar --exclude-caches}) leave it out.
     */
    public static Path prepare(Path base) throws IOException {
        OwnerOnly.createDirectories(base);
        Path tag = base.resolve(TAG_NAME);
        if (!Files.exists(tag)) {
            writeAtomically(base, tag, TAG.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return base;
    }

    // ---------------------------------------------------------------- the key file last used

    /** Larger than any key file (restic's are about 450 bytes): a bigger copy is not one. */
    private static final int KEY_FILE_LIMIT = 64 * 1024;

    /**
     * The key file that last opened the repository at {@code location} (kept under {@code base}),
     * if any. With it, an open can start deriving the key (scrypt, about 0.4 s) before the store
     * has answered anything. It is a guess: the caller uses it only if the store still lists a key
     * file of that name, which is the SHA-256 of its content.
     */
    public static Optional<byte[]> lastKeyFile(Path base, String location) {
        Path p = keyFileCopy(base, location);
        try {
            if (Files.size(p) > KEY_FILE_LIMIT) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(p));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Keeps the key file that opened the repository at {@code location}, or marks the copy as used
     * if it is that file; best effort. Copies unused for {@link #UNUSED} go as caches do.
     */
    public static void keepKeyFile(Path base, String location, byte[] keyFile) {
        Path p = keyFileCopy(base, location);
        if (lastKeyFile(base, location).map(k -> java.util.Arrays.equals(k, keyFile)).orElse(false)) {
            touch(p);
            return;
        }
        keep(p, keyFile);
    }

    /** Marks the copy {@link #lastKeyFile} returned as used: it opened the repository again. */
    public static void keyFileUsed(Path base, String location) {
        touch(keyFileCopy(base, location));
    }

    /** Named by the location's SHA-256, which keeps a user name in a URL out of file names. */
    private static Path keyFileCopy(Path base, String location) {
        return base.resolve("keys").resolve(Id.hash(location.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toHex());
    }

    /** This repository's cache directory. */
    public Path directory() {
        return dir;
    }

    private static boolean cached(FileType type) {
        return type == FileType.INDEX || type == FileType.SNAPSHOT;
    }

    /** A SHA-256 in lowercase hex: the names of repositories and of their files. */
    private static boolean storageId(String s) {
        return Id.isFileName(s);
    }

    private Path copy(FileType type, String name) throws IOException {
        if (!storageId(name)) {
            throw new IOException("not a storage id: " + name);
        }
        return copies.path(type, name);
    }

    // ---------------------------------------------------------------- index and snapshot files

    @Override
    public byte[] load(FileType type, String name) throws IOException {
        if (!cached(type)) {
            return remote.load(type, name);
        }
        Path p = copy(type, name);
        try {
            byte[] b = Files.readAllBytes(p);
            if (Id.hash(b).toHex().equals(name)) {
                return b;
            }
            Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // not cached yet
        } catch (IOException e) {
            drop(p);
        }
        byte[] b = remote.load(type, name);
        // Only what matches its name is kept: a damaged download still reaches the caller, who says so.
        if (Id.hash(b).toHex().equals(name)) {
            keep(p, b);
        }
        return b;
    }

    @Override
    public void save(FileType type, String name, byte[] data) throws IOException {
        remote.save(type, name, data);
        if (cached(type)) {
            keep(copy(type, name), data);
        }
    }

    @Override
    public List<FileInfo> list(FileType type) throws IOException {
        List<FileInfo> files = remote.list(type);
        if (cached(type)) {
            Set<String> names = new HashSet<>();
            for (FileInfo f : files) {
                names.add(f.name());
            }
            forgetOthers(dir.resolve(type.dir()), names);
        }
        return files;
    }

    @Override
    public void remove(FileType type, String name) throws IOException {
        remote.remove(type, name);
        if (cached(type) || type == FileType.PACK) {
            drop(copy(type, name));
        }
    }

    // ---------------------------------------------------------------- tree packs

    @Override
    public boolean keepsTreePacks() {
        return true;
    }

    @Override
    public PendingFile createTreePack() throws IOException {
        return new TeePendingFile(remote.create(FileType.PACK));
    }

    @Override
    public void readTreePack(String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(dstOff, length, dst.length);
        Path p = copy(FileType.PACK, name);
        for (int attempt = 0; attempt < 2; attempt++) {
            if (!verified.contains(name)) {
                synchronized (fetching.computeIfAbsent(name, n -> new Object())) {
                    if (!verified.contains(name)) {
                        if (!matches(p, name) && !fetch(name, p)) {
                            // No room for a copy: read from the store, as without a cache.
                            remote.read(FileType.PACK, name, offset, dst, dstOff, length);
                            return;
                        }
                        verified.add(name);
                    }
                }
            }
            try {
                copies.readSequential(FileType.PACK, name, offset, dst, dstOff, length);
                return;
            } catch (NoSuchFileException e) {
                // Removed meanwhile (another process loaded an index without this pack): fetch again.
                verified.remove(name);
            }
        }
        remote.read(FileType.PACK, name, offset, dst, dstOff, length);
    }

    /** Whether the copy at {@code p} exists and hashes to {@code name}; a copy that does not is removed. */
    private static boolean matches(Path p, String name) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MessageDigest md = Id.sha256();
            ByteBuffer bb = ByteBuffer.allocate(256 << 10);
            while (ch.read(bb) >= 0) {
                bb.flip();
                md.update(bb);
                bb.clear();
            }
            if (Id.fromDigest(md).toHex().equals(name)) {
                return true;
            }
        } catch (IOException e) {
            // unreadable: replaced below
        }
        drop(p);
        return false;
    }

    /**
     * Downloads a whole tree pack into the cache, checking it against its name.
     *
     * @return false if no copy could be written here (the pack is then read from the store)
     * @throws IOException if the store fails or sends a pack that does not match its name
     */
    private boolean fetch(String name, Path p) throws IOException {
        long size = remote.size(FileType.PACK, name);
        Path tmp;
        try {
            OwnerOnly.createDirectories(p.getParent());
            tmp = Files.createTempFile(p.getParent(), TEMP_PREFIX, null); // rw------- on POSIX
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        try {
            MessageDigest md = Id.sha256();
            byte[] buf = new byte[(int) Math.min(size, 1 << 20)];
            boolean written;
            FileChannel out;
            try {
                out = FileChannel.open(tmp, StandardOpenOption.WRITE);
            } catch (IOException e) {
                return false;
            }
            try {
                // The store's failures propagate; the copy's only make it useless.
                written = true;
                for (long pos = 0; pos < size; ) {
                    int n = (int) Math.min(buf.length, size - pos);
                    remote.readSequential(FileType.PACK, name, pos, buf, 0, n, size);
                    md.update(buf, 0, n);
                    pos += n;
                    if (written) {
                        written = writeQuietly(out, buf, 0, n);
                    }
                }
                written = written && force(out);
            } finally {
                closeQuietly(out);
            }
            if (!Id.fromDigest(md).toHex().equals(name)) {
                throw new IOException("data/" + name + ": content does not match its name (damaged pack)");
            }
            if (!written) {
                return false;
            }
            try {
                move(tmp, p);
            } catch (IOException e) {
                return false;
            }
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean force(FileChannel ch) {
        try {
            ch.force(false);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // the copy is dropped or already complete
        }
    }

    /** Writes to a local copy; false if that failed (disk full), which only loses the copy. */
    private static boolean writeQuietly(FileChannel out, byte[] b, int off, int len) {
        try {
            writeFully(out, b, off, len);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeFully(FileChannel ch, byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    @Override
    public void packsIndexed(Set<String> packs) {
        Path data = dir.resolve(FileType.PACK.dir());
        if (!Files.isDirectory(data)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(data)) {
            for (Path e : entries) {
                if (Files.isDirectory(e)) {
                    forgetOthers(e, packs);
                } else if (abandoned(e)) {
                    drop(e); // a tree pack's copy from a process killed while writing it
                }
            }
        } catch (IOException e) {
            // a cache that cannot be tidied still serves
        }
    }

    /** Removes the copies in {@code d} whose name is not in {@code keep}, and abandoned temporary files. */
    private static void forgetOthers(Path d, Set<String> keep) {
        if (!Files.isDirectory(d)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.startsWith(TEMP_PREFIX) ? abandoned(f) : !keep.contains(n)) {
                    drop(f);
                }
            }
        } catch (IOException e) {
            // as above
        }
    }

    /** A temporary file nobody has written for an hour: its process is gone. */
    private static boolean abandoned(Path f) {
        try {
            return f.getFileName().toString().startsWith(TEMP_PREFIX)
                    && Files.getLastModifiedTime(f).toInstant().isBefore(Instant.now().minus(Duration.ofHours(1)));
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- writing copies

    /** Writes a copy, best effort: the repository holds the file whatever happens here. */
    private static void keep(Path p, byte[] data) {
        try {
            OwnerOnly.createDirectories(p.getParent());
            writeAtomically(p.getParent(), p, data);
        } catch (IOException | UnsupportedOperationException e) {
            // a full or read-only cache only costs a download next time
        }
    }

    private static void writeAtomically(Path d, Path p, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(d, TEMP_PREFIX, null); // rw------- on POSIX
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, data, 0, data.length);
                ch.force(false);
            }
            move(tmp, p);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path tmp, Path p) throws IOException {
        try {
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void drop(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the next tidy-up
        }
    }

    /**
     * A tree pack on its way to the store, copied to the cache as it is written: the next backup
     * reads this backup's trees locally. The copy is dropped, never the upload, if writing it fails.
     */
    private final class TeePendingFile implements PendingFile {
        private final PendingFile upload;
        private Path tmp;
        private FileChannel local;

        TeePendingFile(PendingFile upload) {
            this.upload = upload;
            try {
                Path d = dir.resolve(FileType.PACK.dir());
                OwnerOnly.createDirectories(d);
                tmp = Files.createTempFile(d, TEMP_PREFIX, null);
                local = FileChannel.open(tmp, StandardOpenOption.WRITE);
            } catch (IOException | UnsupportedOperationException e) {
                abandonCopy();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            upload.write(b, off, len);
            if (local != null && !writeQuietly(local, b, off, len)) {
                abandonCopy();
            }
        }

        @Override
        public long size() {
            return upload.size();
        }

        @Override
        public void commit(String name) throws IOException {
            upload.commit(name);
            if (local != null) {
                try {
                    local.force(false);
                    local.close();
                    local = null;
                    Path p = copy(FileType.PACK, name);
                    OwnerOnly.createDirectories(p.getParent());
                    move(tmp, p);
                    tmp = null;
                    verified.add(name);
                } catch (IOException e) {
                    abandonCopy();
                }
            }
        }

        @Override
        public void close() throws IOException {
            try {
                upload.close();
            } finally {
                abandonCopy();
            }
        }

        private void abandonCopy() {
            if (local != null) {
                closeQuietly(local);
                local = null;
            }
            if (tmp != null) {
                drop(tmp);
                tmp = null;
            }
        }
    }

    // ---------------------------------------------------------------- everything else: the store's

    @Override
    public Backend store() {
        return remote.store();
    }

    @Override
    public String location() {
        return remote.location();
    }

    @Override
    public PendingFile create(FileType type) throws IOException {
        return remote.create(type);
    }

    @Override
    public int removeAbandoned(Duration olderThan) throws IOException {
        return remote.removeAbandoned(olderThan);
    }

    @Override
    public byte[] load(FileType type, String name, long offset, int length) throws IOException {
        return remote.load(type, name, offset, length);
    }

    @Override
    public void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        remote.read(type, name, offset, dst, dstOff, length);
    }

    @Override
    public int readUpTo(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        return remote.readUpTo(type, name, offset, dst, dstOff, length);
    }

    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        remote.readSequential(type, name, offset, dst, dstOff, length);
    }

    @Override
    public void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length,
            long until) throws IOException {
        remote.readSequential(type, name, offset, dst, dstOff, length, until);
    }

    @Override
    public boolean readsAreCheap() {
        return remote.readsAreCheap();
    }

    @Override
    public long size(FileType type, String name) throws IOException {
        return remote.size(type, name);
    }

    @Override
    public boolean exists(FileType type, String name) throws IOException {
        return remote.exists(type, name);
    }

    @Override
    public void create() throws IOException {
        remote.create();
    }

    @Override
    public void close() throws IOException {
        remote.close();
    }
}
