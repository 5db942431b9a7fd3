package eu.rempart.vault.checker;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.rest.RestBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.index.IndexFile;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.server.RestServer;
import eu.rempart.vault.testing.LoopbackRest;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code check --read-data} through a real REST server on 127.0.0.1, whose access log counts the
 * requests: each indexed pack is read in one pass, and a pack whose header and index disagree is
 * still judged blob by blob.
 */
class CheckerTest {
    private static final char[] PASSWORD = "checker test".toCharArray();

    @TempDir
    Path tmp;
    private RestServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void backUpThroughTheServer() throws IOException {
        server = LoopbackRest.start(tmp.resolve("served"), requests::add);
        Path src = tmp.resolve("src");
        TestTrees.build(src, 11, 200, 4, 3 << 20);
        try (Repository repo = Repository.init(backend(), PASSWORD, KdfParams.forTests(), null, "test", "host")) {
            // Packs of 4 MiB: several data packs whichever saving threads the blobs go to (with
            // 16 MiB the 13 MiB of data landed once in a single pack, failing the test's premise).
            repo.setPackSize(4 << 20);
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(src), null);
            assertThat(r.summary().errors()).isEmpty();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RestBackend backend() throws IOException {
        return LoopbackRest.backend(server, "repo");
    }

    private Path repoDir() {
        return tmp.resolve("served/repo");
    }

    private CheckResult checkReadingData() throws IOException {
        try (Repository repo = Repository.open(backend(), PASSWORD)) {
            return new Checker(repo, null).check(new CheckOptions(true, null));
        }
    }

    /** The repository's index, pack by pack, as its index files hold it. */
    private Map<Id, List<PackedBlob>> index() throws IOException {
        Map<Id, List<PackedBlob>> packs = new HashMap<>();
        try (Repository repo = Repository.open(backend(), PASSWORD)) {
            for (Backend.FileInfo f : repo.backend().list(FileType.INDEX)) {
                Id id = Id.parse(f.name());
                IndexFile.decode(repo.loadUnpacked(FileType.INDEX, id), f.name()).packs()
                        .forEach((p, bs) -> packs.computeIfAbsent(p, k -> new ArrayList<>()).addAll(bs));
            }
        }
        return packs;
    }

    /** A pack of data blobs with at least two of them, its blobs by offset. */
    private static Map.Entry<Id, List<PackedBlob>> dataPack(Map<Id, List<PackedBlob>> index) {
        return index.entrySet().stream()
                .filter(e -> e.getValue().size() >= 2 && e.getValue().stream().allMatch(b -> b.type() == BlobType.DATA))
                .map(e -> Map.entry(e.getKey(), e.getValue().stream()
                        .sorted(Comparator.comparingLong(PackedBlob::offset)).toList()))
                .findFirst().orElseThrow();
    }

    /** Replaces every index file by one holding {@code edit} of the index. */
    private void rewriteIndex(UnaryOperator<Map<Id, List<PackedBlob>>> edit) throws IOException {
        Map<Id, List<PackedBlob>> packs = edit.apply(index());
        List<Path> old;
        try (Stream<Path> s = Files.list(repoDir().resolve("index"))) {
            old = s.toList();
        }
        try (Repository repo = Repository.open(backend(), PASSWORD)) {
            repo.saveUnpacked(FileType.INDEX, IndexFile.encode(List.of(), packs));
        }
        for (Path p : old) {
            Files.delete(p);
        }
    }

    private long requestsFor(Id pack) throws IOException {
        LoopbackRest.settle(backend(), requests);
        return requests.stream().filter(l -> l.contains(" /repo/data/" + pack.toHex() + " ")).count();
    }

    @Test
    void eachIndexedDataPackIsReadInOneRequest() throws IOException {
        Map<Id, List<PackedBlob>> index = index();
        requests.clear();
        CheckResult r = checkReadingData();
        assertThat(r.errors()).isEmpty();
        assertThat(r.packsRead()).isEqualTo(index.size());
        List<Id> dataPacks = index.entrySet().stream()
                .filter(e -> e.getValue().stream().allMatch(b -> b.type() == BlobType.DATA)).map(Map.Entry::getKey).toList();
        assertThat(dataPacks).hasSizeGreaterThan(1);
        for (Id p : dataPacks) {
            // Reading the header first took a second request (its last bytes) for every pack.
            assertThat(requestsFor(p)).as("requests for data pack %s", p.shortHex()).isEqualTo(1);
        }
    }

    @Test
    void aDamagedBlobIsNamedWithItsPack() throws IOException {
        Map.Entry<Id, List<PackedBlob>> pack = dataPack(index());
        PackedBlob victim = pack.getValue().get(1);
        PackFiles.flip(PackFiles.writable(repoDir(), pack.getKey()), victim.offset() + victim.length() / 2, 0x41);

        List<String> errors = lines(checkReadingData().errors());
        String name = "pack " + pack.getKey().toHex();
        assertThat(errors).anyMatch(e -> e.equals(name + ": data blob " + victim.id().toHex() + " failed authentication (damaged pack)"));
        assertThat(errors).contains(name + ": content does not match its name (damaged pack)");
        assertThat(errors).noneMatch(e -> e.contains(pack.getValue().get(0).id().toHex()));
    }

    @Test
    void anIndexEntryTheHeaderDoesNotHoldIsTheIndexsErrorNotTheBlobs() throws IOException {
        Map.Entry<Id, List<PackedBlob>> pack = dataPack(index());
        PackedBlob moved = pack.getValue().get(1);
        // One byte later, one byte shorter: the blobs still follow each other, so the pack is read
        // in the index's order, but the header knows no blob there.
        PackedBlob wrong = new PackedBlob(moved.id(), moved.type(), moved.packId(), moved.offset() + 1,
                moved.length() - 1, moved.uncompressedLength());
        rewriteIndex(packs -> {
            List<PackedBlob> bs = new ArrayList<>(packs.get(pack.getKey()));
            bs.replaceAll(b -> b.equals(moved) ? wrong : b);
            packs.put(pack.getKey(), bs);
            return packs;
        });

        List<String> errors = lines(checkReadingData().errors());
        String name = "pack " + pack.getKey().toHex();
        assertThat(errors).contains(name + ": index lists data blob " + moved.id().toHex() + " at offset "
                + wrong.offset() + " which the pack header does not contain");
        // The blob where the header has it is intact, and the pack matches its name.
        assertThat(errors).noneMatch(e -> e.startsWith(name + ": data blob "));
        assertThat(errors).doesNotContain(name + ": content does not match its name (damaged pack)");
    }

    @Test
    void aBlobNoIndexListsIsStillVerified() throws IOException {
        Map.Entry<Id, List<PackedBlob>> pack = dataPack(index());
        PackedBlob dropped = pack.getValue().get(0);
        rewriteIndex(packs -> {
            List<PackedBlob> bs = new ArrayList<>(packs.get(pack.getKey()));
            bs.remove(dropped);
            packs.put(pack.getKey(), bs);
            return packs;
        });
        String name = "pack " + pack.getKey().toHex();
        // Only the index is short of a blob (its files' sizes and the pack's size say so).
        List<String> intact = lines(checkReadingData().errors());
        assertThat(intact).noneMatch(e -> e.startsWith(name + ": data blob ") || e.contains("damaged"));

        PackFiles.flip(PackFiles.writable(repoDir(), pack.getKey()), dropped.offset() + dropped.length() / 2, 0x41);
        List<String> errors = lines(checkReadingData().errors());
        assertThat(errors).anyMatch(e -> e.equals(name + ": data blob " + dropped.id().toHex() + " failed authentication (damaged pack)"));
        assertThat(errors).contains(name + ": content does not match its name (damaged pack)");
    }

    @Test
    void aPackNoIndexListsIsReadHeaderFirstAndItsDamageNamed() throws IOException {
        Map.Entry<Id, List<PackedBlob>> pack = dataPack(index());
        rewriteIndex(packs -> {
            packs.remove(pack.getKey());
            return packs;
        });
        String name = "pack " + pack.getKey().toHex();
        CheckResult intact = checkReadingData();
        assertThat(lines(intact.hints())).anyMatch(h -> h.startsWith(name + ": not referenced"));
        assertThat(lines(intact.errors())).noneMatch(e -> e.startsWith(name + ": "));

        PackedBlob victim = pack.getValue().get(1);
        PackFiles.flip(PackFiles.writable(repoDir(), pack.getKey()), victim.offset() + victim.length() / 2, 0x41);
        List<String> errors = lines(checkReadingData().errors());
        assertThat(errors).anyMatch(e -> e.equals(name + ": data blob " + victim.id().toHex() + " failed authentication (damaged pack)"));
        assertThat(errors).contains(name + ": content does not match its name (damaged pack)");
    }

    @Test
    void aDamagedSnapshotFileIsNamedAndTheOthersAreStillWalked() throws IOException {
        try (Repository repo = Repository.open(backend(), PASSWORD)) {
            repo.loadIndex();
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null)
                    .backup(List.of(tmp.resolve("src")), null);
            assertThat(r.summary().errors()).isEmpty();
        }
        List<Path> snapshots;
        try (Stream<Path> s = Files.list(repoDir().resolve("snapshots"))) {
            snapshots = s.sorted().toList();
        }
        assertThat(snapshots).hasSize(2);
        Path damaged = snapshots.get(0);
        assertThat(damaged.toFile().setWritable(true)).isTrue();
        PackFiles.flip(damaged, 20, 0x10);

        CheckResult r;
        try (Repository repo = Repository.open(backend(), PASSWORD)) {
            r = new Checker(repo, null).check(CheckOptions.structure());
        }
        assertThat(r.snapshots()).isEqualTo(2);
        assertThat(r.errors()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Finding.Kind.SNAPSHOT_DAMAGED);
            assertThat(f.toString()).isEqualTo("snapshot " + damaged.getFileName() + ": damaged file, cannot be read;"
                    + " the other snapshots do not depend on it (rempart forget " + damaged.getFileName() + " removes it)");
        });
        assertThat(r.blobs()).as("the intact snapshot's trees and blobs were walked").isPositive();
    }

    /** The findings' English lines, as {@code check --json} gives them. */
    static List<String> lines(List<Finding> findings) {
        return findings.stream().map(Finding::toString).toList();
    }
}
