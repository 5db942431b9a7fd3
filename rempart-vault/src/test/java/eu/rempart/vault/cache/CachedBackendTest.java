package eu.rempart.vault.cache;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.local.LocalBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache in front of a store: what it keeps, that it serves its copies, and that damaged or
 * stale copies never reach a caller. The store is a real local repository directory, so the tests
 * can take files away from it and see what the cache still serves.
 */
class CachedBackendTest {
    private static final String REPO_ID = "ab".repeat(32);

    @TempDir
    Path tmp;
    private Path storeDir;
    private Backend store;
    private CachedBackend cached;

    @BeforeEach
    void open() throws Exception {
        storeDir = tmp.resolve("store");
        store = new LocalBackend(storeDir);
        store.create();
        cached = CachedBackend.open(store, tmp.resolve("cache"), REPO_ID);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String name(byte[] b) {
        return Id.hash(b).toHex();
    }

    private Path storeFile(FileType type, String name) {
        return new LocalBackend(storeDir).path(type, name);
    }

    private Path copy(FileType type, String name) {
        return new LocalBackend(cached.directory()).path(type, name);
    }

    @Test
    void indexAndSnapshotFilesAreKeptAndServedWithoutTheStore() throws Exception {
        byte[] index = random(5000, 1);
        byte[] snapshot = random(300, 2);
        store.save(FileType.INDEX, name(index), index); // written by another client
        cached.save(FileType.SNAPSHOT, name(snapshot), snapshot); // written through this cache

        assertThat(cached.load(FileType.INDEX, name(index))).isEqualTo(index);
        assertThat(copy(FileType.INDEX, name(index))).hasBinaryContent(index);
        assertThat(copy(FileType.SNAPSHOT, name(snapshot))).hasBinaryContent(snapshot);

        Files.delete(storeFile(FileType.INDEX, name(index)));
        Files.delete(storeFile(FileType.SNAPSHOT, name(snapshot)));
        assertThat(cached.load(FileType.INDEX, name(index))).isEqualTo(index);
        assertThat(cached.load(FileType.SNAPSHOT, name(snapshot))).isEqualTo(snapshot);
    }

    @Test
    void aDamagedCopyIsReplacedFromTheStore() throws Exception {
        byte[] index = random(5000, 3);
        cached.save(FileType.INDEX, name(index), index);
        Path c = copy(FileType.INDEX, name(index));
        byte[] damaged = index.clone();
        damaged[1234] ^= 1;
        Files.write(c, damaged);

        assertThat(cached.load(FileType.INDEX, name(index))).isEqualTo(index);
        assertThat(c).hasBinaryContent(index);
    }

    @Test
    void copiesTheStoreNoLongerListsAreRemovedWhenItIsListed() throws Exception {
        byte[] kept = random(100, 4);
        byte[] gone = random(100, 5);
        cached.save(FileType.SNAPSHOT, name(kept), kept);
        cached.save(FileType.SNAPSHOT, name(gone), gone);
        store.remove(FileType.SNAPSHOT, name(gone)); // forgotten by another client

        assertThat(cached.list(FileType.SNAPSHOT)).extracting(Backend.FileInfo::name).containsExactly(name(kept));
        assertThat(copy(FileType.SNAPSHOT, name(gone))).doesNotExist();
        assertThat(copy(FileType.SNAPSHOT, name(kept))).exists();

        cached.remove(FileType.SNAPSHOT, name(kept));
        assertThat(copy(FileType.SNAPSHOT, name(kept))).doesNotExist();
    }

    @Test
    void treePacksWrittenHereAreReadLocallyAndOthersFetchedOnce() throws Exception {
        byte[] mine = random(300_000, 6);
        try (Backend.PendingFile f = cached.createTreePack()) {
            f.write(mine, 0, 100_000);
            f.write(mine, 100_000, mine.length - 100_000);
            f.commit(name(mine));
        }
        byte[] theirs = random(2_500_000, 7); // larger than one fetch step
        store.save(FileType.PACK, name(theirs), theirs);

        assertThat(copy(FileType.PACK, name(mine))).hasBinaryContent(mine);
        assertThat(storeFile(FileType.PACK, name(mine))).hasBinaryContent(mine);
        byte[] got = new byte[1000];
        cached.readTreePack(name(theirs), 2_000_000, got, 0, got.length);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(theirs, 2_000_000, 2_001_000));
        assertThat(copy(FileType.PACK, name(theirs))).hasBinaryContent(theirs);

        Files.delete(storeFile(FileType.PACK, name(mine)));
        Files.delete(storeFile(FileType.PACK, name(theirs)));
        cached.readTreePack(name(mine), 5, got, 0, got.length);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(mine, 5, 1005));
        cached.readTreePack(name(theirs), 0, got, 0, got.length);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(theirs, 0, 1000));
    }

    @Test
    void aDamagedTreePackCopyIsFetchedAgainBeforeItIsRead() throws Exception {
        byte[] pack = random(200_000, 8);
        store.save(FileType.PACK, name(pack), pack);
        Path c = copy(FileType.PACK, name(pack));
        Files.createDirectories(c.getParent());
        byte[] damaged = pack.clone();
        damaged[150_000] ^= 0x40;
        Files.write(c, damaged);

        byte[] got = new byte[10];
        cached.readTreePack(name(pack), 149_995, got, 0, got.length);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(pack, 149_995, 150_005));
        assertThat(c).hasBinaryContent(pack);
    }

    @Test
    void treePacksTheIndexNoLongerNamesAreRemoved() throws Exception {
        byte[] a = random(1000, 9);
        byte[] b = random(1000, 10);
        for (byte[] p : new byte[][] {a, b}) {
            try (Backend.PendingFile f = cached.createTreePack()) {
                f.write(p, 0, p.length);
                f.commit(name(p));
            }
        }
        cached.packsIndexed(Set.of(name(a)));
        assertThat(copy(FileType.PACK, name(a))).exists();
        assertThat(copy(FileType.PACK, name(b))).doesNotExist();
    }

    @Test
    void anAbandonedTreePackLeavesNoCopy() throws Exception {
        byte[] pack = random(1000, 11);
        try (Backend.PendingFile f = cached.createTreePack()) {
            f.write(pack, 0, pack.length);
        }
        try (Stream<Path> s = Files.walk(cached.directory())) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void temporaryFilesOfAKilledProcessGoAfterAnHour() throws Exception {
        Path index = cached.directory().resolve("index");
        Path data = cached.directory().resolve("data");
        Path sub = data.resolve("ab");
        Files.createDirectories(sub);
        Files.createDirectories(index);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(2)));
        List<Path> stale = List.of(index.resolve("tmp-1"), data.resolve("tmp-2"), sub.resolve("tmp-3"));
        List<Path> fresh = List.of(index.resolve("tmp-4"), data.resolve("tmp-5"), sub.resolve("tmp-6"));
        for (Path p : stale) {
            Files.write(p, new byte[10]);
            Files.setLastModifiedTime(p, old);
        }
        for (Path p : fresh) {
            Files.write(p, new byte[10]); // a live process's copy in progress
        }
        cached.list(FileType.INDEX);
        cached.packsIndexed(Set.of());
        for (Path p : stale) {
            assertThat(p).doesNotExist();
        }
        for (Path p : fresh) {
            assertThat(p).exists();
        }
    }

    @Test
    void cachesOfRepositoriesUnusedForThirtyDaysAreRemovedWhenAnotherOpens() throws Exception {
        Path base = tmp.resolve("cache");
        Path old = base.resolve("cd".repeat(32));
        Path recent = base.resolve("ef".repeat(32));
        Path notACache = base.resolve("photos");
        for (Path d : List.of(old, recent, notACache)) {
            Files.createDirectories(d.resolve("index"));
            Files.writeString(d.resolve("index").resolve("f"), "x");
        }
        java.time.Instant now = java.time.Instant.now();
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(31))));
        Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(29))));
        Files.setLastModifiedTime(notACache, java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(90))));
        // This repository's own cache, unused for as long, is kept and marked as used now.
        Files.setLastModifiedTime(cached.directory(), java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(40))));

        CachedBackend again = CachedBackend.open(store, base, REPO_ID);
        assertThat(old).doesNotExist();
        assertThat(recent.resolve("index/f")).exists();
        assertThat(notACache.resolve("index/f")).exists();
        assertThat(again.directory()).exists();
        assertThat(Files.getLastModifiedTime(again.directory()).toInstant()).isAfter(now.minusSeconds(60));
    }

    @Test
    void keyFileCopiesAreKeptPerLocationMarkedWhenUsedAndRemovedAfterThirtyDays() throws Exception {
        Path base = tmp.resolve("cache");
        byte[] key = random(450, 20);
        byte[] otherKey = random(450, 21);
        assertThat(CachedBackend.lastKeyFile(base, "rest:http://nas:8000/practice/")).isEmpty();
        CachedBackend.keepKeyFile(base, "rest:http://nas:8000/practice/", key);
        CachedBackend.keepKeyFile(base, "s3:http://offsite:9000/bucket", otherKey);
        assertThat(CachedBackend.lastKeyFile(base, "rest:http://nas:8000/practice/")).hasValue(key);
        assertThat(CachedBackend.lastKeyFile(base, "s3:http://offsite:9000/bucket")).hasValue(otherKey);

        java.time.Instant now = java.time.Instant.now();
        java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(31)));
        List<Path> copies;
        try (Stream<Path> s = Files.list(base.resolve("keys"))) {
            copies = s.toList();
        }
        for (Path c : copies) {
            Files.setLastModifiedTime(c, longAgo);
        }
        // Opened again with the same key: the copy is marked as used, not rewritten.
        CachedBackend.keepKeyFile(base, "rest:http://nas:8000/practice/", key);

        CachedBackend.open(store, base, REPO_ID);
        assertThat(CachedBackend.lastKeyFile(base, "rest:http://nas:8000/practice/")).hasValue(key);
        assertThat(CachedBackend.lastKeyFile(base, "s3:http://offsite:9000/bucket")).isEmpty();
    }

    @Test
    void theCacheIsOwnerOnlyAndTagged() throws Exception {
        byte[] index = random(100, 12);
        cached.save(FileType.INDEX, name(index), index);
        try (Backend.PendingFile f = cached.createTreePack()) {
            f.write(index, 0, index.length);
            f.commit(name(index));
        }
        Path base = tmp.resolve("cache");
        assertThat(base.resolve("CACHEDIR.TAG")).content().startsWith("Signature: 8a477f597d28d172789f06886806bc55");
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            }
        }
    }

    @Test
    void aCacheThatCannotBeWrittenOnlyCostsDownloads() throws Exception {
        byte[] index = random(100, 13);
        byte[] pack = random(1000, 14);
        // Where the copies would go there is a file: every write of a copy fails.
        Files.createDirectories(cached.directory());
        Files.writeString(cached.directory().resolve("index"), "not a directory");
        Files.writeString(cached.directory().resolve("data"), "not a directory");

        cached.save(FileType.INDEX, name(index), index);
        assertThat(cached.load(FileType.INDEX, name(index))).isEqualTo(index);
        try (Backend.PendingFile f = cached.createTreePack()) {
            f.write(pack, 0, pack.length);
            f.commit(name(pack));
        }
        assertThat(storeFile(FileType.PACK, name(pack))).hasBinaryContent(pack);
        byte[] got = new byte[100];
        cached.readTreePack(name(pack), 900, got, 0, got.length);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(pack, 900, 1000));
    }
}
