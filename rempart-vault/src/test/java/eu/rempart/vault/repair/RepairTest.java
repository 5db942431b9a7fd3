package eu.rempart.vault.repair;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.prune.PruneOptions;
import eu.rempart.vault.prune.PruneProgress;
import eu.rempart.vault.prune.Pruner;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.rewrite.SnapshotRewriter;
import eu.rempart.vault.restorer.RestoreResult;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;
import eu.rempart.vault.testing.PackFiles;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The index is rebuilt from the packs, damaged packs are salvaged; what they lost is stored again by a new backup. */
class RepairTest {
    static final String PASSWORD = "repair test password";

    @TempDir
    static Path tmp;
    static Path src;

    @BeforeAll
    static void source() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        src = tmp.resolve("src");
        TestTrees.build(src, 5, 400, 3, 2 << 20);
    }

    static Snapshot backUp(Path dir, Snapshot parent) throws Exception {
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            repo.setPackSize(512 * 1024); // several packs
            return new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(src), parent).snapshot();
        }
    }

    static Repository open(Path dir) throws Exception {
        return Repository.open(new LocalBackend(dir), PASSWORD.toCharArray());
    }

    static Path init(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(), null, "test", "host").close();
        return dir;
    }

    static CheckResult check(Path dir) throws Exception {
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            return new Checker(repo, null).check(new CheckOptions(true, null));
        }
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    static List<Path> packs(Path repoDir) throws Exception {
        try (Stream<Path> s = Files.walk(repoDir.resolve("data"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void lostIndexFilesAreRebuiltFromThePacks() throws Exception {
        Path dir = init("repo-lost");
        backUp(dir, null);
        int packCount = packs(dir).size();
        assertThat(packCount).isGreaterThan(3);
        for (Path f : files(dir.resolve("index"))) {
            Files.delete(f);
        }
        assertThat(check(dir).errors()).isNotEmpty();

        IndexRepair.Result r;
        try (Repository repo = open(dir)) {
            r = IndexRepair.run(repo, false, IndexRepair.Progress.NONE);
        }
        assertThat(r.packs()).isEqualTo(packCount);
        assertThat(r.packsRead()).isEqualTo(packCount);
        assertThat(r.unreadable()).isEmpty();
        assertThat(r.damagedIndexFiles()).isEmpty();
        assertThat(r.indexFilesRemoved()).isZero();
        assertThat(files(dir.resolve("index"))).hasSize(r.indexFilesWritten());
        assertThat(check(dir).errors()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");

        // A second repair reads no pack: the index lists each with its stored size.
        try (Repository repo = open(dir)) {
            IndexRepair.Result again = IndexRepair.run(repo, false, IndexRepair.Progress.NONE);
            assertThat(again.packsRead()).isZero();
            assertThat(again.packs()).isEqualTo(packCount);
            assertThat(again.blobs()).isEqualTo(r.blobs());
            assertThat(again.indexFilesRemoved()).isEqualTo(r.indexFilesWritten());
        }
        try (Repository repo = open(dir)) {
            assertThat(IndexRepair.run(repo, true, IndexRepair.Progress.NONE).packsRead()).isEqualTo(packCount);
        }
        assertThat(check(dir).errors()).isEmpty();
    }

    /**
     * A pack that cannot be read at all (here a directory in its place: the file system's own
     * error) is not a damaged pack: the repair stops before writing anything, the index untouched.
     */
    @Test
    void aReadFailureEndsTheRepairBeforeAnythingIsWritten() throws Exception {
        Path dir = init("repo-ioerror");
        backUp(dir, null);
        Path pack = packs(dir).get(0);
        Path aside = tmp.resolve("aside");
        Files.move(pack, aside);
        Files.createDirectory(pack);
        List<Path> index = files(dir.resolve("index"));
        byte[] before = Files.readAllBytes(index.get(0));
        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> IndexRepair.run(repo, true, IndexRepair.Progress.NONE))
                    .isInstanceOf(java.io.IOException.class);
        }
        assertThat(files(dir.resolve("index"))).isEqualTo(index);
        assertThat(index.get(0)).hasBinaryContent(before);
        Files.delete(pack);
        Files.move(aside, pack);
        assertThat(check(dir).errors()).isEmpty();
    }

    /**
     * A pack damaged in the middle of one blob: its other blobs are stored again, it is removed, and
     * a backup without parent stores the lost blob again. The first snapshot then restores whole.
     */
    @Test
    void aDamagedPackIsSalvagedAndRemoved() throws Exception {
        Path dir = init("repo-salvage");
        Snapshot first = backUp(dir, null);
        Map.Entry<Id, List<PackedBlob>> victim;
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            victim = repo.index().all().stream().filter(b -> b.type() == BlobType.DATA)
                    .collect(java.util.stream.Collectors.groupingBy(PackedBlob::packId)).entrySet().stream()
                    .max(Comparator.comparingInt(e -> e.getValue().size())).orElseThrow();
        }
        assertThat(victim.getValue().size()).isGreaterThan(2);
        PackedBlob broken = victim.getValue().get(1);
        Path pack = PackFiles.writable(dir, victim.getKey());
        PackFiles.flip(pack, broken.offset() + broken.length() / 2, 0x41);
        assertThat(check(dir).errors()).anySatisfy(e -> assertThat(e.kind()).isEqualTo(Finding.Kind.PACK_HASH));

        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> PackRepair.run(repo, List.of(Id.hash(new byte[] {7}))))
                    .isInstanceOf(eu.rempart.vault.VaultException.class).hasMessageContaining("not in the repository");
        }
        assertThat(pack).exists();

        PackRepair.Result r;
        try (Repository repo = open(dir)) {
            r = PackRepair.run(repo, List.of(victim.getKey()));
        }
        PackRepair.Outcome o = r.packs().get(victim.getKey());
        assertThat(o.headerError()).isNull();
        assertThat(o.lost()).extracting(PackedBlob::id).containsExactly(broken.id());
        assertThat(o.salvaged()).isEqualTo(victim.getValue().size() - 1);
        assertThat(pack).doesNotExist();
        CheckResult after = check(dir);
        assertThat(after.errors()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.toString()).contains("data blob " + broken.id().toHex() + " not in index"));
        assertThat(after.hints()).isEmpty();

        backUp(dir, null);
        assertThat(check(dir).errors()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");
        Path target = tmp.resolve("salvaged-first");
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            assertThat(new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(first, target).errors())
                    .isEmpty();
        }
        assertThat(TreeCompare.diff(src, target.resolve(src.toString().substring(1)))).isEmpty();
    }

    /**
     * Data lost for good (a blob of an image, the tree of a folder, the files gone too): prune
     * refuses to run; the snapshot is rewritten without the image and with the folder empty, the
     * damaged one forgotten; then check is clean, prune runs, and the rest restores as it was.
     */
    @Test
    void aSnapshotThatLostDataIsRewrittenWithoutIt() throws Exception {
        Path dir = init("repo-snapshots");
        Snapshot first = backUp(dir, null);
        Map<String, Node> nodes = new java.util.TreeMap<>();
        PackedBlob data;
        PackedBlob tree;
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            walk(repo, first.tree(), "", nodes);
            data = repo.index().lookup(BlobType.DATA, nodes.get(imagePath(nodes)).content().get(0));
            Node folder = nodes.values().stream().filter(n -> n.type() == NodeType.DIR && n.displayName().startsWith("e"))
                    .findFirst().orElseThrow();
            tree = repo.index().lookup(BlobType.TREE, folder.subtree());
        }
        String image = imagePath(nodes);
        String folder = nodes.entrySet().stream().filter(e -> e.getValue().type() == NodeType.DIR
                && e.getValue().displayName().startsWith("e")).findFirst().orElseThrow().getKey();
        for (PackedBlob b : List.of(data, tree)) {
            PackFiles.flip(PackFiles.writable(dir, b.packId()), b.offset() + b.length() / 2, 0x41);
        }
        try (Repository repo = open(dir)) {
            PackRepair.run(repo, List.of(data.packId(), tree.packId()));
        }
        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE))
                    .isInstanceOf(eu.rempart.vault.VaultException.class);
        }
        List<Path> snapshotFiles = files(dir.resolve("snapshots"));
        // a rewrite by patterns does not hide the damage
        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> SnapshotRewriter.run(repo, Snapshots.loadAll(repo),
                    SnapshotRewriter.excluding(eu.rempart.vault.archiver.Excludes.of(List.of("*.tmp"), List.of())),
                    null, true, false)).hasMessageContaining(folder + " is missing or damaged");
        }
        assertThat(files(dir.resolve("snapshots"))).isEqualTo(snapshotFiles);

        try (Repository repo = open(dir)) {
            SnapshotRewriter.Result dry = SnapshotRepair.run(repo, Snapshots.loadAll(repo), true, true);
            assertThat(dry.rewritten()).singleElement().satisfies(r -> {
                assertThat(r.old().id()).isEqualTo(first.id());
                assertThat(r.changes()).containsExactlyInAnyOrder(
                        new SnapshotRewriter.Change(image, false, SnapshotRewriter.Action.REMOVE),
                        new SnapshotRewriter.Change(folder, true, SnapshotRewriter.Action.EMPTY));
                assertThat(r.replacement()).isNull();
                assertThat(r.removed()).isFalse();
            });
        }
        assertThat(files(dir.resolve("snapshots"))).isEqualTo(snapshotFiles);

        SnapshotRewriter.Result r;
        try (Repository repo = open(dir)) {
            r = SnapshotRepair.run(repo, Snapshots.loadAll(repo), true, false);
        }
        assertThat(r.unchanged()).isZero();
        SnapshotRewriter.Rewritten done = r.rewritten().get(0);
        assertThat(done.removed()).isTrue();
        Snapshot repaired;
        try (Repository repo = open(dir)) {
            assertThat(Snapshots.loadAll(repo)).singleElement().satisfies(sn -> {
                assertThat(sn.id()).isEqualTo(done.replacement());
                assertThat(sn.original()).isEqualTo(first.id());
                assertThat(sn.tags()).contains(SnapshotRepair.TAG);
                assertThat(sn.time()).isEqualTo(first.time());
                assertThat(sn.paths()).isEqualTo(first.paths());
            });
            repaired = Snapshots.loadAll(repo).get(0);
        }
        assertThat(check(dir).errors()).isEmpty();
        try (Repository repo = open(dir)) {
            Pruner.execute(repo, Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE), PruneProgress.NONE);
        }
        assertThat(check(dir).errors()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");

        Path target = tmp.resolve("restored-repaired");
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            assertThat(new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(repaired, target).errors())
                    .isEmpty();
        }
        String root = src.toString();
        List<String> diff = TreeCompare.diff(src, target.resolve(root.substring(1)));
        assertThat(diff).isNotEmpty().allSatisfy(d -> assertThat(d).startsWith("missing: "));
        assertThat(diff).contains("missing: " + image.substring(root.length()));
        assertThat(diff).allSatisfy(d -> assertThat(d.equals("missing: " + image.substring(root.length()))
                || d.startsWith("missing: " + folder.substring(root.length()) + "/")).isTrue());
    }

    private static String imagePath(Map<String, Node> nodes) {
        return nodes.keySet().stream().filter(k -> k.contains("/images/")).findFirst().orElseThrow();
    }

    private static void walk(Repository repo, Id tree, String path, Map<String, Node> out) throws Exception {
        for (Node n : Tree.decode(repo.loadBlob(BlobType.TREE, tree))) {
            String p = path + "/" + n.displayName();
            out.put(p, n);
            if (n.type() == NodeType.DIR) {
                walk(repo, n.subtree(), p, out);
            }
        }
    }

    /**
     * A damaged index file and a pack whose header no longer decrypts: the index is rebuilt without
     * that pack, a backup of the same files without parent stores its data again, and prune removes
     * it. The first snapshot then restores whole: nothing was lost.
     */
    @Test
    void aPackThatCannotBeReadIsLeftOutAndItsDataStoredAgain() throws Exception {
        Path dir = init("repo-damaged");
        Snapshot first = backUp(dir, null);
        Id damaged;
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            damaged = repo.index().all().stream().filter(b -> b.type() == BlobType.DATA)
                    .max(Comparator.comparingLong(PackedBlob::length)).orElseThrow().packId();
        }
        Path pack = PackFiles.writable(dir, damaged);
        Path index = files(dir.resolve("index")).get(0);
        for (Path p : List.of(pack, index)) {
            p.toFile().setWritable(true);
            PackFiles.flip(p, Files.size(p) - 30, 0x41); // in the pack's header, in the index file's MAC
        }

        IndexRepair.Result r;
        try (Repository repo = open(dir)) {
            r = IndexRepair.run(repo, false, IndexRepair.Progress.NONE);
        }
        assertThat(r.unreadable()).containsOnlyKeys(damaged);
        assertThat(r.damagedIndexFiles()).containsOnlyKeys(Id.parse(index.getFileName().toString()));
        assertThat(r.packs()).isEqualTo(packs(dir).size() - 1);
        assertThat(index).doesNotExist();
        assertThat(pack).exists(); // left for whoever wants to look at it
        assertThat(check(dir).errors()).isNotEmpty().anySatisfy(e -> assertThat(e.toString()).contains("not in index"));

        backUp(dir, null); // no parent: every file is read, and what the index lacks is stored again
        CheckResult healed = check(dir);
        // what remains wrong is the damaged pack itself, which no index lists any more
        assertThat(healed.errors()).isNotEmpty().allSatisfy(e -> assertThat(e.toString()).startsWith("pack " + damaged.toHex() + ": "));
        assertThat(healed.hints()).anySatisfy(h -> assertThat(h.toString()).contains(damaged.toHex()));
        try (Repository repo = open(dir)) {
            Pruner.execute(repo, Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE), PruneProgress.NONE);
        }
        assertThat(pack).doesNotExist();
        assertThat(check(dir).hints()).isEmpty();
        assertThat(new Restic(dir, PASSWORD).run("check", "--read-data").assertOk().out()).contains("no errors were found");

        Path target = tmp.resolve("restored-first");
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            RestoreResult rr = new Restorer(repo, new RestoreOptions(List.of(), true, 2), null).restore(first, target);
            assertThat(rr.errors()).isEmpty();
        }
        assertThat(TreeCompare.diff(src, target.resolve(src.toString().substring(1)))).isEmpty();
    }
}
