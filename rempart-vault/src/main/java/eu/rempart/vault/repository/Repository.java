package eu.rempart.vault.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.crypto.AuthenticationException;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.crypto.KeyFile;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.crypto.WrongPasswordException;
import eu.rempart.vault.index.IndexFile;
import eu.rempart.vault.index.MasterIndex;
import eu.rempart.vault.pack.PackHeader;
import eu.rempart.vault.pack.PackWriter;
import eu.rempart.vault.pack.PackedBlob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open repository: its key, config and index, and the blob store on top of a {@link Backend}.
 * Saving is thread-safe: many threads may call {@link #saveBlob} concurrently, each writing into a
 * pack no other thread holds at that moment; full packs are finished on background threads.
 */
public final class Repository implements AutoCloseable {
    /** Packs are closed once they hold this many bytes (restic 0.14 uses 4 MiB, 0.17 16 MiB). */
    public static final int DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
    /**
     * Bytes a caller of {@link #saveBlobConsuming} leaves free before and after a blob so that it
     * can be sealed where it lies.
     */
    public static final int SEAL_ROOM_BEFORE = MasterKey.IV_SIZE, SEAL_ROOM_AFTER = MasterKey.OVERHEAD - MasterKey.IV_SIZE;
    /** Pack windows kept for reading trees from a remote store (at most 4 MiB each). */
    private static final int WINDOWS = 12;
    /** An index file is written after this many packs, so an interrupted run keeps most of its work. */
    private static final int PACKS_PER_INDEX = 64;
    private static final byte UNPACKED_COMPRESSED = 2;

    private final Backend backend;
    private final MasterKey key;
    private final Id keyId;
    /** Null for a local store, where per-blob reads are cheap. */
    private final PackWindows windows;
    /** Replaced only by {@link #upgradeToVersion2}. */
    private volatile Config config;
    private final MasterIndex index = new MasterIndex();
    private volatile Compression compression = Compression.AUTO;
    private volatile boolean dryRun;
    /** Dry run: the pack a real run would be filling, per type, so that headers count as they would. */
    private final Map<BlobType, DryPack> dryPacks = new EnumMap<>(BlobType.class);
    private volatile int packSize = DEFAULT_PACK_SIZE;
    private volatile Future<?> writeGate;

    private final Object packLock = new Object();
    /**
     * Packs being filled that no thread is writing to at the moment, most recently used first. A
     * thread saving a blob takes one (or starts a new one) and writes without holding a lock, as
     * restic's packer manager does: the pack's SHA-256 and its disk writes then run on every saving
     * thread at once instead of one at a time under a lock.
     */
    private final Map<BlobType, java.util.ArrayDeque<PackWriter>> idle = new EnumMap<>(BlobType.class);
    private final Set<Id> pendingData = ConcurrentHashMap.newKeySet();
    private final Set<Id> pendingTrees = ConcurrentHashMap.newKeySet();
    private final Map<Id, List<PackedBlob>> unindexed = new LinkedHashMap<>();
    /** Packs {@link #loadIndex()} read from their headers because an index file was damaged. */
    private final Map<Id, List<PackedBlob>> recovered = new LinkedHashMap<>();
    private volatile IndexRecovery indexRecovery;
    private final AtomicLong dataAdded = new AtomicLong();
    private final AtomicLong dataAddedPacked = new AtomicLong();
    private final AtomicLong blobsAdded = new AtomicLong();
    private final AtomicLong treesAdded = new AtomicLong();
    /**
     * Full packs are synced and renamed (or uploaded) by background threads so workers keep
     * chunking meanwhile; the permits bound how many are handed over before a worker with the next
     * full pack waits. Three: a waiting pack costs no memory (it is a file, local or spooled for a
     * remote store), and a worker that waits chunks nothing. First backups of the 3 GB benchmark
     * set, alternated runs, one permit against three: through REST 9.5 against 9.0 s (6 each),
     * locally 7.5 against 7.2 s (4 each), peak RSS the same.
     */
    private static final int FINISHING = 3;
    private final java.util.concurrent.Semaphore finishing = new java.util.concurrent.Semaphore(FINISHING);
    /**
     * Threads storing full packs: one on a local disk, two for a store where every request pays a
     * round trip, so that two uploads at once hide it. First backups of the 3 GB set, one thread
     * against two: through S3Proxy 22.9-30.2 s against 20.0-21.6 s (3 alternated runs each),
     * through REST the same (9.5 against 9.1 s, 4 each), locally 7.8 against 8.2 s (medians of 5).
     */
    private ExecutorService finisher;
    private volatile IOException finishError;

    private Repository(Backend backend, MasterKey key, Id keyId, Config config) {
        this.backend = backend;
        this.key = key;
        this.keyId = keyId;
        this.config = config;
        this.windows = backend.readsAreCheap() ? null : new PackWindows(this, WINDOWS);
    }

    // ---------------------------------------------------------------- creation and opening

    /** Creates a new format-version-2 repository. */
    public static Repository init(Backend backend, char[] password, KdfParams kdf, Polynomial polynomial,
            String username, String hostname) throws IOException {
        return init(backend, password, kdf, polynomial, username, hostname, null);
    }

    /**
     * Creates a new format-version-2 repository; a remote one keeps its key file in the cache under
     * {@code cacheBase} (null: none), so that its first open derives the key as later ones do.
     */
    public static Repository init(Backend backend, char[] password, KdfParams kdf, Polynomial polynomial,
            String username, String hostname, Path cacheBase) throws IOException {
        if (backend.exists(FileType.CONFIG, "config")) {
            throw new FileAlreadyExistsException(backend.location(), null, "a repository already exists there");
        }
        backend.create();
        SecureRandom rnd = new SecureRandom();
        byte[] rid = new byte[32];
        rnd.nextBytes(rid);
        Polynomial pol = polynomial != null ? polynomial : Polynomial.random(rnd);
        Config config = new Config(2, HexFormat.of().formatHex(rid), pol);
        MasterKey key = MasterKey.generate();
        byte[] keyFile = saveKey(backend, password, key, kdf, username, hostname);
        Repository repo = new Repository(backend, key, Id.hash(keyFile), config);
        backend.save(FileType.CONFIG, "config", key.seal(config.toJson()));
        keepKeyFile(backend, cacheBase, keyFile);
        return repo;
    }

    /**
     * restic's {@code migrate upgrade_repo_v2}: the config is written again with format version 2,
     * and nothing else changes (blobs stored uncompressed are valid in version 2; {@code prune
     * --repack-uncompressed} compresses them). No store here replaces a file in place, so the
     * config is removed and saved again, as restic does where it cannot replace atomically. Its old
     * content (encrypted, as stored) is first copied to an owner-only file in a new temporary folder,
     * and saved back if the new one cannot be; the error then names that copy. A store that refuses
     * the removal (an append-only server, Object Lock) leaves the repository as it was.
     * This object's compression setting is left as it was (off): open the repository again to
     * compress.
     *
     * @throws VaultException if the repository is not at version 1
     */
    public void upgradeToVersion2() throws IOException {
        if (config.version() != 1) {
            throw new VaultException("the repository is already at version " + config.version());
        }
        byte[] old = backend.load(FileType.CONFIG, "config");
        Path dir = Files.createTempDirectory("rempart-upgrade-repo-v2-");
        Path copy = dir.resolve("config");
        eu.rempart.vault.fs.OwnerOnly.createFile(copy);
        Files.write(copy, old);
        Config upgraded = new Config(2, config.id(), config.chunkerPolynomial());
        try {
            backend.remove(FileType.CONFIG, "config");
        } catch (IOException | RuntimeException e) {
            // refused (append-only, Object Lock): nothing changed, and the copy is not needed
            Files.delete(copy);
            Files.delete(dir);
            throw e;
        }
        try {
            backend.save(FileType.CONFIG, "config", key.seal(upgraded.toJson()));
        } catch (IOException | RuntimeException e) {
            String restored;
            try {
                backend.save(FileType.CONFIG, "config", old);
                restored = "the old config was saved back";
            } catch (IOException | RuntimeException again) {
                restored = "saving the old config back failed too (" + again.getMessage() + ")";
            }
            throw new IOException("saving the new config failed (" + e.getMessage() + "); " + restored
                    + "; a copy of the old one is in " + copy, e);
        }
        config = upgraded;
        Files.delete(copy);
        Files.delete(dir);
    }

    /** Saves a key file for {@code password}; returns its bytes, whose SHA-256 names it. */
    static byte[] saveKey(Backend backend, char[] password, MasterKey key, KdfParams kdf, String username,
            String hostname) throws IOException {
        KeyFile kf = KeyFile.create(password, key, kdf, username, hostname, Instant.now());
        byte[] json = kf.toJson();
        backend.save(FileType.KEY, Id.hash(json).toHex(), json);
        return json;
    }

    /** Keeps the key file that opened a remote repository for the next open (see {@link KeyGuess}). */
    private static void keepKeyFile(Backend backend, Path cacheBase, byte[] keyFile) {
        if (cacheBase != null && !backend.readsAreCheap()) {
            eu.rempart.vault.cache.CachedBackend.keepKeyFile(cacheBase, backend.location(), keyFile);
        }
    }

    /**
     * Opens a repository by trying the password on every key file.
     *
     * @throws WrongPasswordException if no key file opens with it
     */
    public static Repository open(Backend backend, char[] password) throws IOException {
        return open(backend, password, null);
    }

    /**
     * Opens a repository as {@link #open(Backend, char[])} does; a remote one (where reads are not
     * cheap) keeps its index, snapshots and tree packs in a cache under {@code cacheBase} (null:
     * none). A cache that cannot be set up is done without. The cache also keeps the key file that
     * opened the repository, whose key the next open derives while it asks the store for the rest.
     *
     * @throws NoRepositoryException if there is no config file
     */
    public static Repository open(Backend backend, char[] password, Path cacheBase) throws IOException {
        return open(backend, password, cacheBase, true);
    }

    /**
     * Opens a repository whose files are all read from the store, not from a cache (for
     * {@code check}, which judges what the store holds); only the copy of the key file under
     * {@code cacheBase} (null: none) is used, as {@link #open(Backend, char[], Path)} does.
     */
    public static Repository openFromStore(Backend backend, char[] password, Path cacheBase)
            throws IOException {
        return open(backend, password, cacheBase, false);
    }

    private static Repository open(Backend backend, char[] password, Path cacheBase, boolean cacheFiles)
            throws IOException {
        Optional<KeyGuess> guess = cacheBase != null && !backend.readsAreCheap()
                ? eu.rempart.vault.cache.CachedBackend.lastKeyFile(cacheBase, backend.location())
                        .flatMap(k -> KeyGuess.start(k, password))
                : Optional.empty();
        byte[] sealedConfig;
        try {
            sealedConfig = backend.load(FileType.CONFIG, "config");
        } catch (NoSuchFileException e) {
            throw new NoRepositoryException(backend.location());
        }
        List<Backend.FileInfo> keys = backend.list(FileType.KEY);
        String tried = null;
        Optional<Id> guessed = guess.map(KeyGuess::id);
        if (guessed.isPresent() && keys.stream().anyMatch(k -> k.name().equals(guessed.get().toHex()))) {
            try {
                Optional<MasterKey> mk = guess.get().await();
                if (mk.isPresent()) {
                    Repository repo = opened(backend, cacheFiles ? cacheBase : null, sealedConfig, mk.get(), guessed.get());
                    eu.rempart.vault.cache.CachedBackend.keyFileUsed(cacheBase, backend.location()); // it is the copy
                    return repo;
                }
            } catch (WrongPasswordException e) {
                tried = guessed.get().toHex();
            }
        }
        for (Backend.FileInfo k : keys) {
            if (k.name().equals(tried)) {
                continue;
            }
            byte[] raw;
            KeyFile kf;
            try {
                raw = backend.load(FileType.KEY, k.name());
                kf = KeyFile.parse(raw);
            } catch (VaultException | IOException e) {
                continue; // a damaged key file must not hide a good one
            }
            MasterKey mk;
            try {
                mk = kf.unlock(password);
            } catch (WrongPasswordException e) {
                continue;
            }
            Repository repo = opened(backend, cacheFiles ? cacheBase : null, sealedConfig, mk, Id.parse(k.name()));
            keepKeyFile(backend, cacheBase, raw);
            return repo;
        }
        throw new WrongPasswordException("wrong password or no key found for repository " + backend.location());
    }

    private static Repository opened(Backend backend, Path cacheBase, byte[] sealedConfig, MasterKey mk,
            Id keyId) {
        byte[] plain;
        try {
            plain = mk.open(sealedConfig);
        } catch (AuthenticationException e) {
            throw new VaultException(VaultException.Problem.CONFIG_DAMAGED, backend.location(),
                    "config file of " + backend.location() + " is damaged or was not written with this key");
        }
        Config config = Config.parse(plain);
        return new Repository(cached(backend, cacheBase, config), mk, keyId, config);
    }

    private static Backend cached(Backend backend, Path cacheBase, Config config) {
        if (cacheBase == null || backend.readsAreCheap()) {
            return backend;
        }
        try {
            return eu.rempart.vault.cache.CachedBackend.open(backend, cacheBase, config.id());
        } catch (IOException | RuntimeException e) {
            return backend;
        }
    }

    public Backend backend() {
        return backend;
    }

    public Config config() {
        return config;
    }

    /** Id of the key file that opened this repository. */
    public Id keyId() {
        return keyId;
    }

    public MasterIndex index() {
        return index;
    }

    public void setCompression(Compression c) {
        this.compression = config.version() < 2 ? Compression.OFF : c;
    }

    public Compression compression() {
        return compression;
    }

    /**
     * restic's {@code backup --dry-run}: blobs are still encoded and counted, so that what a backup
     * reports it would add is what it would store, with the headers of packs filled one at a time
     * (a real run, filling a few at once, may write a few more); but no pack is written, and no
     * unpacked file but a lock is saved (no index, no snapshot).
     */
    public void setDryRun(boolean on) {
        this.dryRun = on;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** The size packs are filled to before they are stored. */
    public int packSize() {
        return packSize;
    }

    public void setPackSize(int bytes) {
        this.packSize = Math.max(bytes, 512 * 1024);
    }

    /** Adds a key file for another password (restic's {@code key add}). */
    public Id addKey(char[] password, KdfParams kdf, String username, String hostname) throws IOException {
        return Id.hash(saveKey(backend, password, key, kdf, username, hostname));
    }

    /** A key file as {@code key list} shows it. */
    public record KeyInfo(Id id, boolean current, String username, String hostname, Instant created) {
    }

    public List<KeyInfo> listKeys() throws IOException {
        List<KeyInfo> out = new ArrayList<>();
        for (Backend.FileInfo f : backend.list(FileType.KEY)) {
            Id id = Id.parse(f.name());
            try {
                KeyFile kf = KeyFile.parse(backend.load(FileType.KEY, f.name()));
                out.add(new KeyInfo(id, id.equals(keyId), kf.username(), kf.hostname(), kf.created()));
            } catch (VaultException e) {
                out.add(new KeyInfo(id, false, "?", "?", null));
            }
        }
        return out;
    }

    /** Removes another key file; the one in use cannot be removed (restic's rule). */
    public void removeKey(String idPrefix) throws IOException {
        Id target = null;
        for (Backend.FileInfo f : backend.list(FileType.KEY)) {
            if (f.name().startsWith(idPrefix.toLowerCase(java.util.Locale.ROOT))) {
                if (target != null) {
                    throw new VaultException(VaultException.Problem.AMBIGUOUS_KEY, idPrefix, "key id prefix " + idPrefix + " is ambiguous");
                }
                target = Id.parse(f.name());
            }
        }
        if (target == null) {
            throw new VaultException(VaultException.Problem.NO_KEY, idPrefix, "no key with id " + idPrefix);
        }
        if (target.equals(keyId)) {
            throw new VaultException(VaultException.Problem.KEY_IN_USE, idPrefix,
                    "refusing to remove the key currently used to access the repository");
        }
        backend.remove(FileType.KEY, target.toHex());
    }

    /**
     * Replaces the key in use by one for a new password: the new key file is written before the
     * old one is removed, so an interruption never leaves the repository without a key.
     */
    public Id changePassword(char[] newPassword, KdfParams kdf, String username, String hostname) throws IOException {
        Id added = Id.hash(saveKey(backend, newPassword, key, kdf, username, hostname));
        backend.remove(FileType.KEY, keyId.toHex());
        return added;
    }

    // ---------------------------------------------------------------- index

    /**
     * Loads every index file (in parallel). A damaged index file does not stop the command: the
     * packs no readable index file lists are then read from their own headers, as {@code repair
     * index} would (see {@link #indexRecovery()}), so that nothing they hold is taken as lost;
     * the next index file this process writes lists them too.
     */
    public void loadIndex() throws IOException {
        List<Id> damaged = java.util.Collections.synchronizedList(new ArrayList<>());
        forEachFile("rempart-index", backend.list(FileType.INDEX), f -> {
            Id id = Id.parse(f.name());
            IndexFile.Content content;
            try {
                content = IndexFile.decode(loadUnpacked(FileType.INDEX, id), "index " + id.shortHex());
            } catch (VaultException e) {
                damaged.add(id);
                return;
            }
            index.addIndexFile(id, content);
        });
        if (!damaged.isEmpty()) {
            indexRecovery = recoverIndex(damaged);
        }
        if (backend.keepsTreePacks()) {
            Set<String> packs = new java.util.HashSet<>();
            for (Id p : index.packs()) {
                packs.add(p.toHex());
            }
            backend.packsIndexed(packs);
        }
    }

    /**
     * What {@link #loadIndex()} did about damaged index files.
     *
     * @param damagedFiles       the index files that could not be read
     * @param packsRead          packs no readable index file lists, whose headers were read instead
     * @param packsUnreadable    those of them whose header could not be read (their blobs are unknown)
     */
    public record IndexRecovery(List<Id> damagedFiles, int packsRead, List<Id> packsUnreadable) {
        public IndexRecovery {
            damagedFiles = List.copyOf(damagedFiles);
            packsUnreadable = List.copyOf(packsUnreadable);
        }
    }

    /** Empty unless {@link #loadIndex()} met damaged index files. */
    public Optional<IndexRecovery> indexRecovery() {
        return Optional.ofNullable(indexRecovery);
    }

    private IndexRecovery recoverIndex(List<Id> damaged) throws IOException {
        Set<Id> known = index.packs();
        List<Backend.FileInfo> unlisted = backend.list(FileType.PACK).stream()
                .filter(f -> Id.isFileName(f.name()) && !known.contains(Id.parse(f.name()))).toList();
        List<Id> unreadable = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Id, List<PackedBlob>> read = indexFromHeaders(unlisted, (pack, why) -> {
            if (why instanceof IOException io && !(io instanceof NoSuchFileException)) {
                throw io; // a store that fails ends the command, as reading does
            }
            unreadable.add(pack); // damaged, or gone meanwhile
        });
        synchronized (recovered) {
            recovered.putAll(read);
        }
        damaged.sort(null);
        unreadable.sort(null);
        return new IndexRecovery(damaged, unlisted.size(), unreadable);
    }

    /** What {@link #indexFromHeaders} does with a pack whose header cannot be read. */
    public interface UnreadableHeader {
        /** @throws IOException to end the reading (a store that fails) */
        void pack(Id pack, Exception why) throws IOException;
    }

    /**
     * Reads the headers of these packs, in parallel, and adds their blobs to the index: for packs
     * no readable index file lists (a damaged index file). A header that cannot be read, damaged or
     * not read at all, goes to {@code unreadable}.
     *
     * @return the blobs of each pack whose header was read
     */
    public Map<Id, List<PackedBlob>> indexFromHeaders(List<Backend.FileInfo> packs, UnreadableHeader unreadable)
            throws IOException {
        Map<Id, List<PackedBlob>> read = new ConcurrentHashMap<>();
        forEachFile("rempart-index", packs, f -> {
            Id pack = Id.parse(f.name());
            List<PackedBlob> blobs;
            try {
                blobs = listPack(pack, f.size());
            } catch (VaultException | IOException e) {
                unreadable.pack(pack, e);
                return;
            }
            index.addAll(blobs);
            read.put(pack, blobs);
        });
        return read;
    }

    /** Waits for a task and rethrows its failure as it was (an IOException or a runtime exception). */
    public static void join(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new VaultException(String.valueOf(c), c);
        }
    }

    // ---------------------------------------------------------------- unpacked files

    /**
     * Loads, verifies (storage id), decrypts and decompresses an index, snapshot or lock file.
     *
     * @throws VaultException with {@link VaultException.Problem#FILE_DAMAGED} if the file is damaged
     */
    public byte[] loadUnpacked(FileType type, Id id) throws IOException {
        byte[] sealed = backend.load(type, id.toHex());
        String file = type.dir() + "/" + id.shortHex();
        if (!Id.hash(sealed).equals(id)) {
            throw damagedFile(file, type.dir() + "/" + id.toHex() + ": content does not match its name (damaged file)", null);
        }
        byte[] plain;
        try {
            plain = key.open(sealed);
        } catch (AuthenticationException e) {
            throw damagedFile(file, type.dir() + "/" + id.toHex() + ": authentication failed (damaged file)", null);
        }
        return decodeUnpacked(plain, file);
    }

    /** {@link VaultException.Problem#FILE_DAMAGED} for {@code file} ("index/1a2b3c4d"). */
    private static VaultException damagedFile(String file, String message, Throwable cause) {
        return new VaultException(VaultException.Problem.FILE_DAMAGED, List.of(file), message, cause);
    }

    /** The JSON of a decrypted index, snapshot or lock file ({@code file}, as "index/1a2b3c4d"). */
    private static byte[] decodeUnpacked(byte[] plain, String file) {
        if (plain.length == 0) {
            throw damagedFile(file, file + ": empty file", null);
        }
        byte v = plain[0];
        if (v == '{' || v == '[') {
            return plain;
        }
        if (v != UNPACKED_COMPRESSED) {
            throw damagedFile(file, file + ": unknown encoding version " + (v & 0xff), null);
        }
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(plain, 1, plain.length - 1))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw damagedFile(file, file + ": cannot decompress: " + e.getMessage(), e);
        }
    }

    /**
     * Makes every later write of a pack, index or snapshot file wait for {@code gate} and fail with
     * its failure: a backup can read and chunk while its lock is being confirmed (restic's 200 ms
     * wait), and stores nothing if the lock is refused. Lock files themselves are not held.
     */
    public void holdWritesUntil(Future<?> gate) {
        writeGate = gate;
    }

    private void awaitWriteGate() throws IOException {
        Future<?> g = writeGate;
        if (g != null) {
            join(g);
        }
    }

    /** Compresses (format 2), encrypts and stores an unpacked file; returns its storage id. */
    public Id saveUnpacked(FileType type, byte[] json) throws IOException {
        if (type != FileType.LOCK) {
            awaitWriteGate();
        }
        byte[] plain = json;
        if (config.version() >= 2 && type != FileType.CONFIG) {
            byte[] z = Zstd.compress(json, 3);
            plain = new byte[z.length + 1];
            plain[0] = UNPACKED_COMPRESSED;
            System.arraycopy(z, 0, plain, 1, z.length);
        }
        byte[] sealed = key.seal(plain);
        Id id = Id.hash(sealed);
        if (!dryRun || type == FileType.LOCK) {
            backend.save(type, id.toHex(), sealed);
        }
        return id;
    }

    // ---------------------------------------------------------------- blobs

    /** Loads a blob's plaintext, verifying its hash. */
    public byte[] loadBlob(BlobType type, Id id) throws IOException {
        return copy(loadBlobShared(type, id));
    }

    public byte[] loadBlob(PackedBlob pb) throws IOException {
        return copy(loadBlobShared(pb));
    }

    /** Like {@link #loadBlob(BlobType, Id)} into this thread's reused buffer (see {@link BlobData}). */
    public BlobData loadBlobShared(BlobType type, Id id) throws IOException {
        PackedBlob pb = lookup(type, id);
        // Trees are small and walked in about the order they were stored.
        return type == BlobType.TREE ? loadBlobSequential(pb) : loadBlobShared(pb);
    }

    private BlobData loadBlobSequential(PackedBlob pb) throws IOException {
        if (backend.keepsTreePacks()) {
            String pack = pb.packId().toHex();
            return readWhole(pb, (pos, dst, off, len) -> backend.readTreePack(pack, pos, dst, off, len), null);
        }
        return windows == null ? loadBlobShared(pb) : windows.load(pb);
    }

    private PackedBlob lookup(BlobType type, Id id) {
        PackedBlob pb = index.lookup(type, id);
        if (pb == null) {
            throw new VaultException(VaultException.Problem.BLOB_NOT_INDEXED, id.shortHex(),
                    type.json() + " blob " + id.shortHex() + " not found in index");
        }
        return pb;
    }

    public BlobData loadBlobShared(PackedBlob pb) throws IOException {
        String pack = pb.packId().toHex();
        return readWhole(pb, named(pack, (pos, dst, off, len) -> backend.read(FileType.PACK, pack, pos, dst, off, len)), null);
    }

    /**
     * Streams a data blob's plaintext to {@code sink}. A blob stored uncompressed and
     * larger than {@link #SEGMENT} (a large chunk of an image, which does not compress) is read,
     * decrypted and hashed a segment at a time, so a thread holds a segment rather than a chunk of
     * up to 8 MiB; any other goes to the sink whole, decoded as {@link #loadBlobShared} does.
     * Nothing the sink received is authenticated until this returns: when it throws a
     * {@link VaultException} (damaged pack), the caller must discard what the sink got.
     *
     * @return the plaintext length
     */
    public long streamBlob(Id id, BlobSink sink) throws IOException {
        PackedBlob pb = lookup(BlobType.DATA, id);
        String pack = pb.packId().toHex();
        return read(pb, named(pack, (pos, dst, off, len) -> backend.read(FileType.PACK, pack, pos, dst, off, len)), null, sink);
    }

    /**
     * {@link #streamBlob(Id, BlobSink)} for a reader going through a pack whose next
     * reads stay below {@code until} (see {@link Backend#readSequential(FileType, String, long,
     * byte[], int, int, long)}).
     */
    public long streamBlob(PackedBlob pb, long until, BlobSink sink) throws IOException {
        String pack = pb.packId().toHex();
        return read(pb, named(pack, (pos, dst, off, len) -> backend.readSequential(FileType.PACK, pack, pos, dst, off, len,
                until)), null, sink);
    }

    /**
     * Reads a blob (for {@code check --read-data}) as {@link #streamBlob} does, gives its sealed
     * bytes to {@code sealed} as they come (the pack's own hash) and verifies it.
     *
     * @throws VaultException if the blob is damaged; its sealed bytes have all been digested
     */
    public void verifyBlob(PackedBlob pb, java.security.MessageDigest sealed) throws IOException {
        String pack = pb.packId().toHex();
        read(pb, named(pack, (pos, dst, off, len) -> backend.readSequential(FileType.PACK, pack, pos, dst, off, len)),
                sealed, (b, off, len) -> { });
    }

    /** How {@link #read} reads a blob's bytes from its pack. */
    interface PackReader {
        void read(long pos, byte[] dst, int off, int len) throws IOException;
    }

    /** A pack ({@code pack}, hex) the store does not have is named as such: {@link PackMissingException}. */
    static PackReader named(String pack, PackReader r) {
        return (pos, dst, off, len) -> {
            try {
                r.read(pos, dst, off, len);
            } catch (PackMissingException e) {
                throw e;
            } catch (NoSuchFileException e) {
                throw new PackMissingException(Id.parse(pack), e);
            }
        };
    }

    /**
     * Bytes of a large blob read, decrypted and hashed at once (see {@link #streamBlob}). A page
     * under a megabyte: a local read at any offset then spans at most the megabyte of blocks one
     * direct read fetches, where a full megabyte took a second read of one block.
     */
    static final int SEGMENT = (1 << 20) - 4096;

    /**
     * Reads a whole blob into this thread's buffer, giving its sealed bytes to {@code sealed} (if
     * not null), and decodes it there.
     */
    private BlobData readWhole(PackedBlob pb, PackReader reader, java.security.MessageDigest sealed)
            throws IOException {
        // Read to the end of the decoding room, so that a compressed blob decompresses in place.
        int room = decodingRoom(pb);
        byte[] buf = blobBuffer(room);
        int off = room - pb.length();
        reader.read(pb.offset(), buf, off, pb.length());
        if (sealed != null) {
            sealed.update(buf, off, pb.length());
        }
        return decodeBlobInPlace(pb, buf, off);
    }

    /** Reads and decodes a blob, a segment at a time if large and uncompressed, else whole. */
    private long read(PackedBlob pb, PackReader reader, java.security.MessageDigest sealed, BlobSink sink)
            throws IOException {
        if (pb.compressed() || pb.length() <= SEGMENT) {
            BlobData d = readWhole(pb, reader, sealed);
            sink.write(d.array(), d.offset(), d.length());
            return d.length();
        }
        byte[] buf = blobBuffer(SEGMENT);
        byte[] tag = new byte[MasterKey.OVERHEAD - MasterKey.IV_SIZE];
        long ctEnd = pb.length() - tag.length; // the MAC follows the ciphertext
        java.security.MessageDigest hash = Id.sha256();
        MasterKey.Opening opening = null;
        for (long pos = 0; pos < pb.length(); ) {
            int n = (int) Math.min(SEGMENT, pb.length() - pos);
            reader.read(pb.offset() + pos, buf, 0, n);
            if (sealed != null) {
                sealed.update(buf, 0, n);
            }
            int from = 0;
            if (pos == 0) { // SEGMENT > OVERHEAD, so the nonce is in the first segment
                try {
                    opening = key.startOpening(buf, 0);
                } catch (AuthenticationException e) {
                    throw unauthentic(pb);
                }
                from = MasterKey.IV_SIZE;
            }
            int to = (int) Math.min(n, ctEnd - pos);
            if (to > from) {
                opening.decrypt(buf, from, to - from);
                hash.update(buf, from, to - from);
                sink.write(buf, from, to - from);
            }
            for (int i = Math.max(to, 0); i < n; i++) { // the MAC may straddle two segments
                tag[(int) (pos + i - ctEnd)] = buf[i];
            }
            pos += n;
        }
        try {
            opening.verify(tag, 0);
        } catch (AuthenticationException e) {
            throw unauthentic(pb);
        }
        if (!Id.fromDigest(hash).equals(pb.id())) {
            throw wrongHash(pb);
        }
        return ctEnd - MasterKey.IV_SIZE;
    }

    /**
     * This thread's buffer for reading blobs, at least {@code n} bytes long: a blob read to end
     * {@link #decodingRoom} bytes into it is decoded there by {@link #decodeBlobInPlace}. Blob data
     * decoded in it before is lost.
     */
    public static byte[] blobBuffer(int n) {
        return BlobDecoder.get().sealed(n);
    }

    /**
     * The length of a buffer in which a blob read to its end is decoded entirely (see
     * {@link #decodeBlobInPlace}): its sealed length, or for a compressed blob room for zstd's
     * in-place decompression: the plaintext, the margin zstd documents
     * ({@code ZSTD_DECOMPRESSION_MARGIN}: frame header and checksum, 3 bytes per block and one
     * block, taken at the smallest and largest block sizes, 1 and 128 KiB) and the MAC that
     * follows the compressed bytes.
     */
    public static int decodingRoom(PackedBlob pb) {
        if (!pb.compressed()) {
            return pb.length();
        }
        long plain = pb.uncompressedLength();
        long margin = 18 + 4 + 3 * ((plain + 1023) / 1024) + (128 << 10);
        return Math.toIntExact(Math.max(pb.length(), plain + margin + MasterKey.OVERHEAD - MasterKey.IV_SIZE));
    }

    /** Decrypts, decompresses and verifies a blob whose sealed bytes start at {@code off}. */
    public byte[] decodeBlob(PackedBlob pb, byte[] buf, int off) {
        return copy(decodeBlobShared(pb, buf, off));
    }

    private static byte[] copy(BlobData d) {
        return java.util.Arrays.copyOfRange(d.array(), d.offset(), d.offset() + d.length());
    }

    /**
     * Like {@link #decodeBlob} into this thread's reused buffer (see {@link BlobData});
     * {@code buf} must not be that buffer.
     */
    public BlobData decodeBlobShared(PackedBlob pb, byte[] buf, int off) {
        return decode(pb, buf, off, false, false);
    }

    /**
     * Like {@link #decodeBlobShared}, in {@code buf} itself: the blob is decrypted where it lies,
     * and a compressed blob whose sealed bytes end {@link #decodingRoom} bytes or more into
     * {@code buf} is decompressed to the start of {@code buf}, over the bytes before it. So a
     * thread reading blobs keeps one buffer as large as the largest, not one for sealed and one
     * for decompressed blobs (8 MiB each for every restoring thread). Everything in {@code buf}
     * up to the blob's end is lost.
     */
    public BlobData decodeBlobInPlace(PackedBlob pb, byte[] buf, int off) {
        return decode(pb, buf, off, true, off + pb.length() >= decodingRoom(pb));
    }

    /**
     * @param inPlace     decrypt in {@code buf} rather than in this thread's buffer
     * @param intoStart   decompress a compressed blob to the start of {@code buf} (which has the
     *                    room for it), rather than to this thread's plaintext buffer
     */
    private BlobData decode(PackedBlob pb, byte[] buf, int off, boolean inPlace, boolean intoStart) {
        BlobDecoder dec = BlobDecoder.get();
        if (pb.length() < MasterKey.OVERHEAD) {
            throw unauthentic(pb);
        }
        byte[] opened = inPlace ? buf : dec.opened(pb.length() - MasterKey.OVERHEAD);
        int openedOff = inPlace ? off + MasterKey.IV_SIZE : 0;
        int n;
        try {
            n = key.open(buf, off, pb.length(), opened, openedOff);
        } catch (AuthenticationException e) {
            throw unauthentic(pb);
        }
        byte[] plain = opened;
        int plainOff = openedOff;
        if (pb.compressed()) {
            plain = intoStart ? buf : dec.plain(pb.uncompressedLength());
            plainOff = 0;
            int m;
            try {
                m = dec.zstd.decompressByteArray(plain, 0, pb.uncompressedLength(), opened, openedOff, n);
            } catch (RuntimeException e) {
                throw damaged(pb, "cannot be decompressed (damaged pack)");
            }
            if (m != pb.uncompressedLength()) {
                throw damaged(pb, "has the wrong length after decompression");
            }
            n = m;
        }
        if (!Id.hash(plain, plainOff, n).equals(pb.id())) {
            throw wrongHash(pb);
        }
        return new BlobData(plain, plainOff, n);
    }

    /** The failures a blob's two checks report, whichever way it was read. */
    private static VaultException unauthentic(PackedBlob pb) {
        return damaged(pb, VaultException.Problem.BLOB_UNAUTHENTIC, "failed authentication (damaged pack)");
    }

    private static VaultException wrongHash(PackedBlob pb) {
        return damaged(pb, VaultException.Problem.BLOB_WRONG_HASH, "does not match its hash (damaged pack)");
    }

    /** A blob that authenticates yet cannot be decoded: a writer's bug more than damage, said in English. */
    private static VaultException damaged(PackedBlob pb, String what) {
        return new VaultException(blobMessage(pb, what));
    }

    private static VaultException damaged(PackedBlob pb, VaultException.Problem problem, String what) {
        return new VaultException(problem, List.of(pb.packId().shortHex(), pb.type().json(), pb.id().shortHex()),
                blobMessage(pb, what));
    }

    private static String blobMessage(PackedBlob pb, String what) {
        return "pack " + pb.packId().shortHex() + ": " + pb.type().json() + " blob " + pb.id().shortHex() + " " + what;
    }

    /**
     * Stores a blob unless the repository (or this process) has it already.
     *
     * @param id the SHA-256 of {@code data}, or null to compute it
     * @return true if the blob was new and has been queued for storage
     */
    public boolean saveBlob(BlobType type, Id id, byte[] data) throws IOException {
        return saveBlob(type, id, data, 0, data.length);
    }

    /**
     * Stores the {@code len} bytes at {@code off} as a blob unless the repository (or this process)
     * has it already. The bytes are not kept: the caller may reuse the array once this returns.
     *
     * @param id the SHA-256 of those bytes, or null to compute it
     * @return true if the blob was new and has been written to a pack
     */
    public boolean saveBlob(BlobType type, Id id, byte[] data, int off, int len) throws IOException {
        return store(type, id, data, off, len, false, false);
    }

    /**
     * Like {@link #saveBlob(BlobType, Id, byte[], int, int)} for a caller done with the array: a
     * blob stored uncompressed is sealed in place when {@link #SEAL_ROOM_BEFORE} bytes before
     * {@code off} and {@link #SEAL_ROOM_AFTER} after the blob are free. Those bytes and the blob's
     * are overwritten.
     */
    public boolean saveBlobConsuming(BlobType type, Id id, byte[] data, int off, int len) throws IOException {
        return store(type, id, data, off, len, false, true);
    }

    /**
     * For prune: stores a blob in a new pack although the index lists it, because the pack that
     * holds it is about to be removed. Once per process and blob, like {@link #saveBlob}.
     *
     * @return true if the blob has been written to a pack by this call
     */
    public boolean saveBlobAgain(BlobType type, Id id, byte[] data, int off, int len) throws IOException {
        return store(type, java.util.Objects.requireNonNull(id), data, off, len, true, false);
    }

    private boolean store(BlobType type, Id id, byte[] data, int off, int len, boolean evenIfIndexed,
            boolean consume) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (id == null) {
            id = Id.hash(data, off, len);
        }
        IOException failed = finishError;
        if (failed != null) {
            throw new IOException(failed.getMessage(), failed);
        }
        if (!evenIfIndexed && index.has(type, id)) {
            return false;
        }
        Set<Id> pending = type == BlobType.DATA ? pendingData : pendingTrees;
        if (!pending.add(id)) {
            return false;
        }
        BlobEncoder enc = BlobEncoder.get();
        Compression c = type == BlobType.TREE && config.version() >= 2 ? Compression.AUTO : compression;
        BlobEncoder.Sealed sealed = enc.encode(key, data, off, len,
                c == Compression.OFF || config.version() < 2 ? 0 : c.level, c == Compression.AUTO && type == BlobType.DATA,
                consume);
        dataAdded.addAndGet(len);
        dataAddedPacked.addAndGet(sealed.length());
        (type == BlobType.DATA ? blobsAdded : treesAdded).incrementAndGet();
        if (dryRun) {
            dryPack(new PackedBlob(id, type, null, 0, sealed.length(), sealed.uncompressedLength()));
            return true;
        }
        PackWriter pw;
        synchronized (packLock) {
            pw = idle.computeIfAbsent(type, t -> new java.util.ArrayDeque<>()).pollFirst();
        }
        if (pw == null) {
            pw = new PackWriter(key, type, type == BlobType.TREE ? backend.createTreePack() : backend.create(FileType.PACK));
        }
        try {
            pw.add(id, sealed.buffer(), sealed.offset(), sealed.length(), sealed.uncompressedLength());
        } catch (IOException | RuntimeException e) {
            // The pack is unusable (e.g. disk full): drop it; its blobs were never indexed.
            discard(pw);
            throw e;
        }
        if (pw.size() >= packSize) {
            finishLater(pw);
        } else {
            synchronized (packLock) {
                idle.get(type).addFirst(pw);
            }
        }
        return true;
    }

    /** The blobs of a pack a dry run does not write, and their bytes ({@link PackWriter#size}). */
    private static final class DryPack {
        final List<PackedBlob> blobs = new ArrayList<>();
        long bytes;
    }

    /** Dry run: the blob joins its type's pack, whose header counts once it is as full as a real one. */
    private void dryPack(PackedBlob b) {
        synchronized (dryPacks) {
            DryPack pack = dryPacks.computeIfAbsent(b.type(), t -> new DryPack());
            pack.blobs.add(b);
            pack.bytes += b.length();
            if (pack.bytes >= packSize) {
                closeDryPack(pack);
            }
        }
    }

    private void closeDryPack(DryPack pack) {
        if (!pack.blobs.isEmpty()) {
            dataAddedPacked.addAndGet(PackHeader.overhead(pack.blobs));
            pack.blobs.clear();
            pack.bytes = 0;
        }
    }

    private void finishLater(PackWriter pw) throws IOException {
        try {
            finishing.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard(pw);
            throw new IOException("interrupted", e);
        }
        ExecutorService ex;
        synchronized (packLock) {
            if (finisher == null) {
                finisher = Executors.newFixedThreadPool(backend.readsAreCheap() ? 1 : 2, r -> {
                    Thread t = new Thread(r, "rempart-pack-finisher");
                    t.setDaemon(true);
                    return t;
                });
            }
            ex = finisher;
        }
        ex.execute(() -> {
            try {
                writePack(pw);
            } catch (IOException e) {
                finishError = e;
            } catch (RuntimeException e) {
                finishError = new IOException(e.getMessage(), e);
            } finally {
                finishing.release();
            }
        });
    }

    /** Waits until every pack handed to the background threads is stored. */
    private void awaitFinishing() throws IOException {
        try {
            finishing.acquire(FINISHING);
            finishing.release(FINISHING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        IOException failed = finishError;
        if (failed != null) {
            throw new IOException(failed.getMessage(), failed);
        }
    }

    private static void discard(PackWriter pw) {
        try {
            pw.close();
        } catch (IOException ignored) {
            // best effort: a leftover temporary file is ignored by restic and by us
        }
    }

    private void writePack(PackWriter pw) throws IOException {
        PackWriter.Finished f;
        try {
            awaitWriteGate();
            f = pw.finish();
        } finally {
            discard(pw);
        }
        dataAddedPacked.addAndGet(f.size() - sumLengths(f.blobs()));
        boolean writeIndex;
        synchronized (packLock) {
            index.addAll(f.blobs());
            unindexed.put(f.id(), f.blobs());
            for (PackedBlob b : f.blobs()) {
                (b.type() == BlobType.DATA ? pendingData : pendingTrees).remove(b.id());
            }
            writeIndex = unindexed.size() >= PACKS_PER_INDEX;
        }
        if (writeIndex) {
            writeIndexFile();
        }
    }

    private static long sumLengths(List<PackedBlob> blobs) {
        long n = 0;
        for (PackedBlob b : blobs) {
            n += b.length();
        }
        return n;
    }

    private void writeIndexFile() throws IOException {
        Map<Id, List<PackedBlob>> batch;
        synchronized (packLock) {
            if (unindexed.isEmpty()) {
                return;
            }
            batch = new LinkedHashMap<>(unindexed);
            unindexed.clear();
        }
        synchronized (recovered) {
            // What this process stores may rest on packs only their headers listed (a damaged index
            // file): index them too, so that it stays whole until `repair index` replaces that file.
            recovered.forEach(batch::putIfAbsent);
            recovered.clear();
        }
        Id id = saveUnpacked(FileType.INDEX, IndexFile.encode(List.of(), batch));
        index.addIndexFile(id, new IndexFile.Content(List.of(), Map.of()));
    }

    /** A task on one file of the store, for {@link #forEachFile}. */
    public interface FileTask<T> {
        void run(T item) throws IOException;
    }

    /**
     * Runs a task per file on a few threads named {@code threadName} (more for a remote store, where
     * requests wait); the first failure is thrown once the other tasks are stopped.
     */
    public <T> void forEachFile(String threadName, List<T> files, FileTask<T> task) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        int threads = Math.min(files.size(), backend.readsAreCheap() ? cores : Math.max(8, 2 * cores));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, threadName);
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (T f : files) {
                fs.add(pool.submit(() -> {
                    task.run(f);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                join(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** restic starts a new index file after this many blobs. */
    static final int INDEX_MAX_BLOBS = 50_000;

    /**
     * Writes index files listing {@code packs} (at most {@link #INDEX_MAX_BLOBS} blobs each), the
     * first of them superseding {@code supersedes}, which the caller deletes once this returns (for
     * prune and index repair: the packs are already stored).
     *
     * @return how many index files were written
     */
    public int saveIndex(Map<Id, List<PackedBlob>> packs, List<Id> supersedes) throws IOException {
        int files = 0;
        Map<Id, List<PackedBlob>> batch = new LinkedHashMap<>();
        int blobs = 0;
        for (Map.Entry<Id, List<PackedBlob>> e : packs.entrySet()) {
            batch.put(e.getKey(), e.getValue());
            blobs += e.getValue().size();
            if (blobs >= INDEX_MAX_BLOBS) {
                saveUnpacked(FileType.INDEX, IndexFile.encode(files == 0 ? supersedes : List.of(), batch));
                files++;
                batch = new LinkedHashMap<>();
                blobs = 0;
            }
        }
        if (!batch.isEmpty() || files == 0) {
            saveUnpacked(FileType.INDEX, IndexFile.encode(files == 0 ? supersedes : List.of(), batch));
            files++;
        }
        return files;
    }

    /** Writes any partly filled packs and the index for everything stored so far. */
    public void flush() throws IOException {
        synchronized (dryPacks) {
            dryPacks.values().forEach(this::closeDryPack);
        }
        List<PackWriter> rest = new ArrayList<>();
        synchronized (packLock) {
            for (java.util.ArrayDeque<PackWriter> packs : idle.values()) {
                rest.addAll(packs);
                packs.clear();
            }
        }
        for (PackWriter pw : rest) {
            if (pw.count() > 0) {
                writePack(pw);
            } else {
                discard(pw);
            }
        }
        awaitFinishing();
        writeIndexFile();
    }

    /** Plaintext bytes of blobs newly stored by this process. */
    public long dataAdded() {
        return dataAdded.get();
    }

    /** Bytes written to packs (compressed and encrypted, with headers) by this process. */
    public long dataAddedPacked() {
        return dataAddedPacked.get();
    }

    public long dataBlobsAdded() {
        return blobsAdded.get();
    }

    public long treeBlobsAdded() {
        return treesAdded.get();
    }

    /** Decrypts a whole pack's header (for check and index rebuilds). */
    public List<PackedBlob> listPack(Id packId, long size) throws IOException {
        byte[] tail = backend.load(FileType.PACK, packId.toHex(), -1,
                (int) Math.min(size, PackHeader.TAIL_GUESS));
        int hl = PackHeader.headerLength(tail);
        if (hl + 4 > tail.length && hl + 4L <= size) {
            tail = backend.load(FileType.PACK, packId.toHex(), -1, hl + 4);
        }
        return parsePackHeader(packId, tail, size);
    }

    /** Decrypts and parses the header at the end of {@code tail} (a pack's last bytes, or all of it). */
    public List<PackedBlob> parsePackHeader(Id packId, byte[] tail, long packSize) {
        return PackHeader.parse(key, packId, tail, packSize);
    }

    /**
     * Discards packs not yet flushed (an aborted backup: their blobs were never indexed, and their
     * temporary files must not be left behind), lets the background threads finish, closes the backend.
     */
    @Override
    public void close() throws IOException {
        ExecutorService ex;
        synchronized (packLock) {
            // Every pack being filled is idle once no thread saves any more.
            for (java.util.ArrayDeque<PackWriter> packs : idle.values()) {
                packs.forEach(Repository::discard);
            }
            idle.clear();
            ex = finisher;
        }
        if (ex != null) {
            ex.shutdown();
            try {
                ex.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        backend.close();
    }
}
