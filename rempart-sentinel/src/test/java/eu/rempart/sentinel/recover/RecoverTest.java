package eu.rempart.sentinel.recover;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.rest.RestBackend;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.server.RestServer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static eu.rempart.sentinel.recover.RecoverFixture.LATIN1_NAME;
import static eu.rempart.sentinel.recover.RecoverFixture.NOTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recovery on a real tree, backed up by the real archiver into a real repository, then attacked. */
class RecoverTest {
    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("data/cabinet");
    }

    private String abs(String rel) {
        return Recovery.display(root().resolve(rel));
    }

    private String absLatin(String suffix) {
        return Recovery.display(FileNames.resolve(root().resolve("docs"), RecoverFixture.concat(LATIN1_NAME, suffix)));
    }

    /** Builds, backs up, waits; returns the time the attack starts after. */
    private Instant prepare() throws Exception {
        RecoverFixture.buildTree(root());
        try (Repository repo = RecoverFixture.initRepo(tmp.resolve("repo"))) {
            RecoverFixture.backup(repo, root());
        }
        RecoverFixture.tick();
        Instant since = Instant.now();
        RecoverFixture.tick();
        return since;
    }

    private RecoverReport recover(Instant since, Path quarantine, boolean dryRun) throws Exception {
        try (Repository repo = RecoverFixture.open(tmp.resolve("repo"))) {
            return Recovery.run(repo, new RecoverOptions(since, List.of(), RecoverFixture.HOST, quarantine, dryRun));
        }
    }

    @Test
    void recoverBringsEverySnapshotFileBackAndQuarantinesTheRest() throws Exception {
        Instant since = prepare();
        Map<String, RecoverFixture.Entry> before = RecoverFixture.state(root(), false);
        Map<String, RecoverFixture.Entry> beforeWithInodes = RecoverFixture.state(root(), true);
        RecoverFixture.attack(root());
        // What the attack left, to find it byte-identical in the quarantine.
        Map<String, byte[]> damaged = new HashMap<>();
        for (String rel : List.of("docs/report.docx", "images/xray.png", "docs/letter.txt.lkd", "rename.odt.lkd",
                "partial.bin", NOTE, "docs/" + NOTE, "docs/sub/" + NOTE, "new-after-snapshot.txt")) {
            damaged.put(abs(rel), Files.readAllBytes(root().resolve(rel)));
        }
        Path latinLkd = FileNames.resolve(root().resolve("docs"), RecoverFixture.concat(LATIN1_NAME, ".lkd"));
        damaged.put(absLatin(".lkd"), Files.readAllBytes(latinLkd));

        Path quarantine = tmp.resolve("quarantine/run1");
        RecoverReport r = recover(since, quarantine, false);

        // Every entry of the snapshot is back, byte-identical, with its mode and mtime; nothing else is left.
        assertThat(RecoverFixture.state(root(), false)).isEqualTo(before);

        assertThat(r.restored()).containsExactlyInAnyOrder(abs("docs/report.docx"), abs("images/xray.png"),
                abs("docs/letter.txt"), absLatin(""), abs("rename.odt"), abs("partial.bin"),
                abs("archive"), abs("archive/2025"), abs("archive/2025/a.txt"), abs("archive/2025/b.txt"));
        assertThat(r.quarantined()).extracting(RecoverReport.Quarantined::path)
                .containsExactlyInAnyOrderElementsOf(damaged.keySet());
        assertThat(r.notRestorable()).extracting(RecoverReport.NotRestorable::path).containsExactlyInAnyOrder(
                abs("docs/letter.txt.lkd"), absLatin(".lkd"), abs("rename.odt.lkd"), abs(NOTE), abs("docs/" + NOTE),
                abs("docs/sub/" + NOTE), abs("new-after-snapshot.txt"));
        assertThat(r.notRestorable()).extracting(RecoverReport.NotRestorable::reason)
                .containsOnly(RecoverReport.NO_EARLIER_VERSION);
        assertThat(r.errors()).isEmpty();
        assertThat(r.leftAlone()).isEmpty();
        assertThat(r.complete()).isFalse(); // the legitimate new file has no earlier version
        assertThat(r.dryRun()).isFalse();

        // The quarantine mirrors the original paths and holds exactly what the attack left.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(quarantine))).isEqualTo("rwx------");
        for (RecoverReport.Quarantined q : r.quarantined()) {
            Path inQuarantine = new Quarantine(quarantine).target(pathOf(q.path(), latinLkd));
            assertThat(Recovery.display(inQuarantine)).isEqualTo(q.quarantinePath());
            assertThat(Files.readAllBytes(inQuarantine)).as(q.path()).isEqualTo(damaged.get(q.path()));
        }
        String manifest = Files.readString(quarantine.resolve(Quarantine.MANIFEST));
        assertThat(manifest).contains(abs("docs/letter.txt.lkd")).contains(r.snapshotId());

        // Files the attack did not touch were not rewritten.
        Map<String, RecoverFixture.Entry> after = RecoverFixture.state(root(), true);
        for (String rel : List.of("notes.txt", "docs/sub/deep/scan.pdf", "docs/latest")) {
            assertThat(after.get(rel)).as(rel).isEqualTo(beforeWithInodes.get(rel));
        }

        // A second run finds nothing to do and creates no quarantine.
        Path quarantine2 = tmp.resolve("quarantine/run2");
        RecoverReport again = recover(since, quarantine2, false);
        assertThat(again.restored()).isEmpty();
        assertThat(again.quarantined()).isEmpty();
        assertThat(again.notRestorable()).isEmpty();
        assertThat(again.errors()).isEmpty();
        assertThat(again.complete()).isTrue();
        assertThat(quarantine2).doesNotExist();
        assertThat(RecoverFixture.state(root(), true)).isEqualTo(after);
    }

    /**
     * A snapshot of a relative target ({@code backup cabinet} run in {@code data}) holds the folder
     * as {@code /cabinet}, as restic would: recovery finds it there and brings every file back.
     */
    @Test
    void aSnapshotOfARelativeTargetIsFoundWhereItsTreeHoldsIt() throws Exception {
        RecoverFixture.buildTree(root());
        try (Repository repo = RecoverFixture.initRepo(tmp.resolve("repo"))) {
            BackupResult b = new Archiver(repo, BackupOptions.defaults(RecoverFixture.HOST, "test"), null)
                    .backup(List.of(Path.of("cabinet")), tmp.resolve("data"), null);
            assertThat(b.snapshot().paths()).containsExactly(root().toString());
            assertThat(Tree.decode(repo.loadBlob(BlobType.TREE, b.snapshot().tree())))
                    .extracting(n -> new String(n.name(), StandardCharsets.UTF_8)).containsExactly("cabinet");
        }
        RecoverFixture.tick();
        Instant since = Instant.now();
        RecoverFixture.tick();
        Map<String, RecoverFixture.Entry> before = RecoverFixture.state(root(), false);
        RecoverFixture.attack(root());

        RecoverReport r = recover(since, tmp.resolve("quarantine"), false);

        assertThat(r.restored()).contains(abs("docs/report.docx"), abs("images/xray.png"), abs("docs/letter.txt"));
        assertThat(r.notRestorable()).extracting(RecoverReport.NotRestorable::path)
                .containsExactlyInAnyOrder(abs("docs/letter.txt.lkd"), absLatin(".lkd"), abs("rename.odt.lkd"),
                        abs(NOTE), abs("docs/" + NOTE), abs("docs/sub/" + NOTE), abs("new-after-snapshot.txt"));
        assertThat(r.errors()).isEmpty();
        assertThat(RecoverFixture.state(root(), false)).isEqualTo(before);
    }

    /**
     * The off-site vault may be the only copy left after an attack: recovering from an append-only
     * REST server on 127.0.0.1 brings every file back byte-identical, reading each pack it needs
     * once rather than a request per blob.
     */
    @Test
    void recoverFromARemoteVaultReadsPackByPack() throws Exception {
        Instant since = prepare();
        Map<String, RecoverFixture.Entry> before = RecoverFixture.state(root(), false);
        RecoverFixture.attack(root());
        List<String> log = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RecoverReport r;
        try (RestServer server = RestServer.start(new RestServer.Options(tmp, new InetSocketAddress("127.0.0.1", 0),
                true, null, false, null, 0, log::add));
             Repository repo = Repository.open(new RestBackend("http://127.0.0.1:" + server.address().getPort() + "/repo",
                     RestBackend.Options.defaults()), RecoverFixture.PASSWORD.toCharArray())) {
            repo.loadIndex();
            log.clear();
            r = Recovery.run(repo, new RecoverOptions(since, List.of(), RecoverFixture.HOST, tmp.resolve("q"), false));
        }
        assertThat(r.errors()).isEmpty();
        assertThat(r.restored()).hasSize(10);
        assertThat(RecoverFixture.state(root(), false)).isEqualTo(before);
        // One request per blob would be at least one per restored file (trees come from the same packs).
        long files = r.restored().stream().filter(p -> Files.isRegularFile(Path.of(p))).count();
        long dataReads = log.stream().filter(l -> l.contains(" GET /repo/data/")).count();
        assertThat(files).isGreaterThanOrEqualTo(7); // the non-UTF-8 name is displayed escaped, not counted
        assertThat(dataReads).as(String.join("\n", log)).isPositive().isLessThan(files);
    }

    /** The report shows paths with \xNN for bad bytes: map the non-UTF-8 one back to its real path. */
    private Path pathOf(String display, Path latinLkd) {
        return display.equals(Recovery.display(latinLkd)) ? latinLkd : Path.of(display);
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Instant since = prepare();
        RecoverFixture.attack(root());
        Map<String, RecoverFixture.Entry> attacked = RecoverFixture.state(root(), true);
        Path quarantine = tmp.resolve("quarantine/dry");

        RecoverReport r = recover(since, quarantine, true);

        assertThat(r.dryRun()).isTrue();
        assertThat(RecoverFixture.state(root(), true)).isEqualTo(attacked);
        assertThat(quarantine).doesNotExist();
        assertThat(tmp.resolve("quarantine")).doesNotExist();
        assertThat(r.restored()).contains(abs("docs/report.docx"), abs("archive/2025/a.txt"), abs("rename.odt"));
        assertThat(r.quarantined()).extracting(RecoverReport.Quarantined::path)
                .contains(abs("docs/report.docx"), abs(NOTE), abs("new-after-snapshot.txt"));
        assertThat(r.notRestorable()).hasSize(7);
    }

    @Test
    void noSnapshotBeforeTimeIsAClearError() throws Exception {
        Instant beforeBackup = Instant.now().minusSeconds(5);
        prepare();
        assertThatThrownBy(() -> recover(beforeBackup, tmp.resolve("q"), false))
                .isInstanceOf(NoSnapshotBeforeException.class)
                .hasMessageContaining("no snapshot taken before " + beforeBackup);
        assertThat(tmp.resolve("q")).doesNotExist();
    }

    @Test
    void snapshotsOfOtherHostsOrPathsAreNotUsed() throws Exception {
        Instant since = prepare();
        try (Repository repo = RecoverFixture.open(tmp.resolve("repo"))) {
            assertThatThrownBy(() -> Recovery.run(repo, new RecoverOptions(since, List.of(), "other-host", tmp.resolve("q"), false)))
                    .isInstanceOf(NoSnapshotBeforeException.class);
            assertThatThrownBy(() -> Recovery.run(repo, new RecoverOptions(since, List.of(tmp.resolve("elsewhere")),
                    RecoverFixture.HOST, tmp.resolve("q"), false)))
                    .isInstanceOf(NoSnapshotBeforeException.class);
        }
    }

    @Test
    void pathsLimitTheScopeAndNewerSnapshotsAreIgnored() throws Exception {
        Instant since = prepare();
        RecoverFixture.attack(root());
        // A backup taken after the attack must not be the reference.
        Snapshot late;
        try (Repository repo = RecoverFixture.open(tmp.resolve("repo"))) {
            late = RecoverFixture.backup(repo, root());
        }
        RecoverReport r = recover0(since, List.of(root().resolve("images")));
        assertThat(r.snapshotId()).isNotEqualTo(late.id().toHex());
        assertThat(r.restored()).containsExactly(abs("images/xray.png"));
        assertThat(r.quarantined()).extracting(RecoverReport.Quarantined::path).containsExactly(abs("images/xray.png"));
        assertThat(root().resolve("docs/letter.txt.lkd")).exists();
        assertThat(root().resolve("archive")).doesNotExist();
    }

    private RecoverReport recover0(Instant since, List<Path> paths) throws Exception {
        try (Repository repo = RecoverFixture.open(tmp.resolve("repo"))) {
            return Recovery.run(repo, new RecoverOptions(since, paths, RecoverFixture.HOST, tmp.resolve("q"), false));
        }
    }

    @Test
    void filesOlderThanTheTimeAndAbsentFromTheSnapshotAreLeftAlone() throws Exception {
        RecoverFixture.buildTree(root());
        try (Repository repo = RecoverFixture.initRepo(tmp.resolve("repo"))) {
            RecoverFixture.backup(repo, root());
        }
        RecoverFixture.tick();
        Files.writeString(root().resolve("between.txt"), "written after the backup, before the attack\n");
        RecoverFixture.tick();
        Instant since = Instant.now();
        RecoverFixture.tick();
        RecoverFixture.attack(root());
        RecoverReport r = recover(since, tmp.resolve("q"), false);
        assertThat(r.leftAlone()).containsExactly(abs("between.txt"));
        assertThat(root().resolve("between.txt")).exists();
    }

    @Test
    void quarantineCopiesAcrossFileSystemsBeforeDeleting() throws Exception {
        // The fallback for another file system, exercised directly: copy, sync, then delete.
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("d"));
        Files.writeString(src.resolve("d/f.txt"), "x");
        Files.createSymbolicLink(src.resolve("d/l"), Path.of("f.txt"));
        Path dst = tmp.resolve("dst");
        Quarantine.copyTree(src, dst);
        assertThat(Files.readString(dst.resolve("d/f.txt"))).isEqualTo("x");
        assertThat(FileSystemAccess.readLink(dst.resolve("d/l"))).isEqualTo("f.txt".getBytes());
        assertThat(Files.getLastModifiedTime(dst.resolve("d/f.txt"))).isEqualTo(Files.getLastModifiedTime(src.resolve("d/f.txt")));
        assertThat(Files.getLastModifiedTime(dst.resolve("d"))).isEqualTo(Files.getLastModifiedTime(src.resolve("d")));
    }

    @Test
    void aSecondRunIntoTheSameQuarantineKeepsTheFirstOnesFilesAndManifestEntries() throws Exception {
        Path f = tmp.resolve("w/f.txt");
        Files.createDirectories(f.getParent());
        Path q = tmp.resolve("q");
        Files.writeString(f, "first");
        Quarantine first = new Quarantine(q);
        first.move(f);
        first.writeManifest("abc", Instant.EPOCH);
        Files.writeString(f, "second");
        Quarantine second = new Quarantine(q);
        Path moved = second.move(f);
        second.writeManifest("abc", Instant.EPOCH);
        assertThat(Files.readString(first.target(f))).isEqualTo("first");
        assertThat(moved.getFileName()).hasToString("f.txt.1");
        assertThat(Files.readString(moved)).isEqualTo("second");
        assertThat(Files.readString(q.resolve(Quarantine.MANIFEST))).contains(Recovery.display(first.target(f)))
                .contains(Recovery.display(moved));
    }

    @Test
    void timeFormats() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant expected = Instant.parse("2026-11-23T09:15:00Z");
        assertThat(RecoverTime.parse("2026-11-23 10:15:00", paris)).isEqualTo(expected);
        assertThat(RecoverTime.parse("2026-11-23T10:15:00", paris)).isEqualTo(expected);
        assertThat(RecoverTime.parse("2026-11-23T10:15:00+01:00", ZoneId.of("UTC"))).isEqualTo(expected);
        assertThat(RecoverTime.parse("2026-11-23T09:15:00Z", paris)).isEqualTo(expected);
        for (String bad : List.of("", "yesterday", "2026-11-23", "2026-13-01 10:00:00", "23/11/2026 10:15:00")) {
            assertThatThrownBy(() -> RecoverTime.parse(bad, paris)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("YYYY-MM-DD HH:MM:SS");
        }
    }
}
