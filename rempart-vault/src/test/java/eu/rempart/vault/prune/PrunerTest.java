package eu.rempart.vault.prune;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Prune decides what restic 0.14's prune decides on the same repository (its dry run is the
 * reference), and leaves a repository restic checks clean and restores.
 */
class PrunerTest {
    static final String PASSWORD = "prune test password";

    @TempDir
    static Path tmp;
    static Path a;
    static Path b;
    static Path c;

    @BeforeAll
    static void sources() throws Exception {
        assumeTrue(Restic.available(), "restic binary not installed");
        a = tmp.resolve("src/a");
        b = tmp.resolve("src/b");
        c = tmp.resolve("src/c");
        TestTrees.build(a, 1, 600, 1, 1 << 20);
        TestTrees.build(b, 2, 600, 1, 1 << 20);
        TestTrees.build(c, 3, 600, 1, 1 << 20);
    }

    /**
     * Three snapshots: [a, b], [b, c], [c], written in small packs so that forgetting the first
     * leaves unused, partly used and small packs.
     */
    static List<Snapshot> threeSnapshots(Path dir) throws Exception {
        List<Snapshot> out = new ArrayList<>();
        try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(),
                null, "test", "host")) {
            repo.setPackSize(512 * 1024);
            Snapshot parent = null;
            for (List<Path> targets : List.of(List.of(a, b), List.of(b, c), List.of(c))) {
                parent = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(targets, null).snapshot();
                out.add(parent);
            }
        }
        return out;
    }

    static Repository open(Path dir) throws Exception {
        return Repository.open(new LocalBackend(dir), PASSWORD.toCharArray());
    }

    static Result prune(Path dir, PruneOptions opts) throws Exception {
        try (Repository repo = open(dir)) {
            PrunePlan plan = Pruner.plan(repo, opts, PruneProgress.NONE);
            return new Result(plan, Pruner.execute(repo, plan, PruneProgress.NONE));
        }
    }

    record Result(PrunePlan plan, Pruner.Result result) {
    }

    @Test
    void sameDecisionsAsResticAndACleanRepositoryAfter() throws Exception {
        Path dir = tmp.resolve("repo-default");
        List<Snapshot> snaps = threeSnapshots(dir);
        Files.delete(dir.resolve("snapshots").resolve(snaps.get(0).id().toHex()));
        int packsBefore = count(dir.resolve("data"));

        Restic restic = new Restic(dir, PASSWORD);
        Map<String, String> expected = resticPlan(restic.run("prune", "--dry-run", "-v").assertOk().out());

        PrunePlan plan;
        try (Repository repo = open(dir)) {
            plan = Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE);
        }
        assertThat(figures(plan.stats())).isEqualTo(expected);
        // Whether some pack holds only the forgotten snapshot's data depends on how the backup's
        // saving threads shared the packs; either way prune has work, and restic agrees on it.
        assertThat(plan.stats().packs().remove() + plan.stats().packs().repack()).isPositive();
        assertThat(count(dir.resolve("data"))).isEqualTo(packsBefore); // planning changes nothing

        Result r = prune(dir, PruneOptions.DEFAULTS);
        assertThat(r.result().packsDeleted()).isEqualTo(plan.packsToDelete().size() + plan.packsToRepack().size());
        assertThat(count(dir.resolve("data"))).isEqualTo(packsBefore - r.result().packsDeleted() + r.result().packsWritten());
        assertClean(dir, restic, snaps.subList(1, 3));

        // A second prune finds nothing to do, and restic agrees. Unused blobs may remain: with the
        // default --max-unused 5%, a partly used pack is kept while the unused total stays under it.
        Map<String, String> expectedAgain = resticPlan(restic.run("prune", "--dry-run", "-v").assertOk().out());
        try (Repository repo = open(dir)) {
            PrunePlan again = Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE);
            assertThat(figures(again.stats())).isEqualTo(expectedAgain);
            assertThat(again.packsToDelete()).isEmpty();
            assertThat(again.packsToRepack()).isEmpty();
            assertThat(again.unreferencedPacks()).isEmpty();
            assertThat(again.stats().sizes().unused())
                    .isLessThanOrEqualTo(PruneOptions.DEFAULTS.maxUnused().allowed(again.stats().sizes().used()));
        }
    }

    @Test
    void maxUnusedZeroRepacksEveryPartlyUsedPackAsResticWould() throws Exception {
        Path dir = tmp.resolve("repo-max-unused-0");
        List<Snapshot> snaps = threeSnapshots(dir);
        Files.delete(dir.resolve("snapshots").resolve(snaps.get(1).id().toHex()));
        Restic restic = new Restic(dir, PASSWORD);
        Map<String, String> expected = resticPlan(
                restic.run("prune", "--dry-run", "-v", "--max-unused", "0").assertOk().out());
        PruneOptions opts = new PruneOptions(MaxUnused.parse("0"), Long.MAX_VALUE, false, false, false);

        Result r = prune(dir, opts);
        assertThat(figures(r.plan().stats())).isEqualTo(expected);
        assertThat(r.plan().packsToRepack()).isNotEmpty();
        assertThat(r.result().packsWritten()).isPositive();
        assertClean(dir, restic, List.of(snaps.get(0), snaps.get(2)));
        try (Repository repo = open(dir)) {
            PrunePlan again = Pruner.plan(repo, opts, PruneProgress.NONE);
            assertThat(again.stats().sizes().unused()).isZero();
            assertThat(again.stats().blobs().duplicate()).isZero();
        }
    }

    @Test
    void packsLeftByAnInterruptedBackupAreRemoved() throws Exception {
        Path dir = tmp.resolve("repo-interrupted");
        List<Snapshot> snaps = threeSnapshots(dir);
        // what a backup killed before writing its index and snapshot leaves: packs no index lists
        Files.delete(dir.resolve("snapshots").resolve(snaps.get(2).id().toHex()));
        Path newestIndex;
        try (Stream<Path> s = Files.list(dir.resolve("index"))) {
            newestIndex = s.max((x, y) -> {
                try {
                    return Files.getLastModifiedTime(x).compareTo(Files.getLastModifiedTime(y));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).orElseThrow();
        }
        Restic restic = new Restic(dir, PASSWORD);
        Files.delete(newestIndex);
        Restic.Result check = restic.run("check");
        if (check.exit() != 0) {
            // the deleted index also listed packs still used: nothing to learn from this layout
            assumeTrue(false, "index layout differs: " + check.out());
        }
        Map<String, String> expected = resticPlan(restic.run("prune", "--dry-run", "-v").assertOk().out());
        Result r = prune(dir, PruneOptions.DEFAULTS);
        assertThat(figures(r.plan().stats())).isEqualTo(expected);
        assertThat(r.plan().unreferencedPacks()).isNotEmpty();
        assertThat(restic.run("check").assertOk().out()).doesNotContain("not referenced");
        assertClean(dir, restic, snaps.subList(0, 2));
    }

    @Test
    void refusesWhenDataTheSnapshotsNeedIsMissing() throws Exception {
        Path dir = tmp.resolve("repo-missing");
        List<Snapshot> snaps = threeSnapshots(dir);
        Files.delete(dir.resolve("snapshots").resolve(snaps.get(0).id().toHex()));
        // a pack a kept snapshot needs disappears (disk error, attacker)
        Id needed;
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            needed = repo.index().lookup(eu.rempart.vault.BlobType.TREE, snaps.get(2).tree()).packId();
        }
        Path pack = dir.resolve("data").resolve(needed.toHex().substring(0, 2)).resolve(needed.toHex());
        Files.delete(pack);
        int packs = count(dir.resolve("data"));
        int indexes = count(dir.resolve("index"));
        try (Repository repo = open(dir)) {
            assertThatThrownBy(() -> Pruner.plan(repo, PruneOptions.DEFAULTS, PruneProgress.NONE))
                    .isInstanceOfSatisfying(VaultException.class, e -> {
                        assertThat(e).hasMessageContaining("prune refused");
                        assertThat(e.problem()).isEqualTo(VaultException.Problem.PRUNE_REFUSED);
                        // what it found, for the IT provider, inside the practice's sentence
                        assertThat(eu.rempart.vault.FailureTexts.of(null).explain(e).orElseThrow())
                                .startsWith("prune refusé, rien n’a été supprimé : des données dont les instantanés ont besoin"
                                        + " sont absentes ou endommagées, et supprimer davantage pourrait en perdre plus (snapshot "
                                        + snaps.get(2).shortId() + ": tree " + snaps.get(2).tree().shortHex() + " cannot be read (");
                    });
        }
        assertThat(count(dir.resolve("data"))).isEqualTo(packs);
        assertThat(count(dir.resolve("index"))).isEqualTo(indexes);
    }

    /** Thrown by {@link Crash} where a kill would have stopped the process. */
    static final class Killed extends RuntimeException {
        Killed(String where) {
            super("killed " + where);
        }
    }

    /** Progress that stops the prune at the start of a phase, or once its first file is done. */
    static final class StopAt implements PruneProgress {
        private final Phase phase;
        private final boolean afterFirstStep;
        private volatile boolean inPhase;

        StopAt(Phase phase, boolean afterFirstStep) {
            this.phase = phase;
            this.afterFirstStep = afterFirstStep;
        }

        @Override
        public void phase(Phase p, long total) {
            inPhase = p == phase;
            if (inPhase && !afterFirstStep) {
                throw new Killed("at " + p);
            }
        }

        @Override
        public void advance(long n) {
            if (inPhase) {
                throw new Killed("after a step of " + phase);
            }
        }
    }

    /**
     * Wherever a prune stops (each step, at its start and after a first file), the repository
     * checks clean with restic, the kept snapshots restore, and the next prune finishes the job.
     */
    @Test
    void aPruneStoppedAtAnyStepLeavesACleanRepository() throws Exception {
        Path pristine = tmp.resolve("repo-interrupted-pristine");
        List<Snapshot> snaps = threeSnapshots(pristine);
        Files.delete(pristine.resolve("snapshots").resolve(snaps.get(1).id().toHex()));
        // an unreferenced pack, as an interrupted backup leaves
        Path data = pristine.resolve("data");
        Path somePack;
        try (Stream<Path> s = Files.walk(data)) {
            somePack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        // (a pack's name is its hash: the copy gets one more byte to get another name)
        byte[] copy = java.util.Arrays.copyOf(Files.readAllBytes(somePack), (int) Files.size(somePack) + 1);
        String name = Id.hash(copy).toHex();
        Files.createDirectories(data.resolve(name.substring(0, 2)));
        Files.write(data.resolve(name.substring(0, 2)).resolve(name), copy);
        PruneOptions opts = new PruneOptions(MaxUnused.parse("0"), Long.MAX_VALUE, false, false, false);

        int run = 0;
        for (PruneProgress.Phase phase : List.of(PruneProgress.Phase.DELETING_UNREFERENCED, PruneProgress.Phase.REPACKING,
                PruneProgress.Phase.REBUILDING_INDEX, PruneProgress.Phase.DELETING_INDEX, PruneProgress.Phase.DELETING_PACKS)) {
            for (int after : phase == PruneProgress.Phase.REBUILDING_INDEX ? new int[] {0} : new int[] {0, 1}) {
                Path dir = tmp.resolve("repo-interrupted-" + run++);
                TestTrees.copy(pristine, dir);
                try (Repository repo = open(dir)) {
                    PrunePlan plan = Pruner.plan(repo, opts, PruneProgress.NONE);
                    assertThat(plan.packsToRepack()).isNotEmpty();
                    assertThat(plan.unreferencedPacks()).as("%s %s", plan.stats(), name).isNotEmpty();
                    PruneProgress stop = new StopAt(phase, after == 1);
                    assertThatThrownBy(() -> Pruner.execute(repo, plan, stop)).hasMessageContaining("killed");
                }
                Restic restic = new Restic(dir, PASSWORD);
                Restic.Result check = restic.run("check", "--read-data");
                assertThat(check.exit()).as("restic check after a prune stopped %s %d:%n%s%n%s", phase, after,
                        check.out(), check.err()).isZero();
                prune(dir, opts);
                assertClean(dir, restic, List.of(snaps.get(0), snaps.get(2)));
                // with --max-unused 0 the rerun leaves nothing unused, duplicate copies included
                try (Repository repo = open(dir)) {
                    PruneStats again = Pruner.plan(repo, opts, PruneProgress.NONE).stats();
                    assertThat(again.unusedSize()).as("after a prune stopped %s %d: %s", phase, after, again).isZero();
                }
            }
        }
    }

    @Test
    void maxUnusedIsParsedAsRestic() {
        assertThat(MaxUnused.parse("5%").allowed(95)).isEqualTo(5);
        assertThat(MaxUnused.parse("unlimited").allowed(1)).isEqualTo(Long.MAX_VALUE);
        assertThat(MaxUnused.parse("2M").allowed(1)).isEqualTo(2 << 20);
        assertThat(MaxUnused.parse("0").allowed(1000)).isZero();
        assertThatThrownBy(() -> MaxUnused.parse("100%")).hasMessageContaining("below 100%");
        assertThatThrownBy(() -> MaxUnused.parse("-1%")).hasMessageContaining("positive");
        assertThatThrownBy(() -> MaxUnused.parse("lots")).hasMessageContaining("lots");
    }

    // ------------------------------------------------------------------ helpers

    static void assertClean(Path dir, Restic restic, List<Snapshot> kept) throws Exception {
        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        try (Repository repo = open(dir)) {
            repo.loadIndex();
            CheckResult cr = new Checker(repo, null).check(new CheckOptions(true, null));
            assertThat(cr.errors()).isEmpty();
            assertThat(cr.hints()).isEmpty();
        }
        for (Snapshot s : kept) {
            Path target = tmp.resolve("restore-" + dir.getFileName() + "-" + s.id().shortHex());
            restic.run("restore", s.id().toHex(), "--target", target.toString()).assertOk();
            for (String p : s.paths()) {
                List<String> diff = TreeCompare.diff(Path.of(p), target.resolve(Path.of(p).getRoot().relativize(Path.of(p))));
                assertThat(diff).isSubsetOf(List.of("link target differs: /odd/link-bad-target"));
            }
        }
    }

    static int count(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "^(used|duplicates|unused|to repack|this removes|to delete|total prune|remaining|totally used packs"
                    + "|partly used packs|unused packs|to keep):\\s+(\\d+)\\s*(blobs / (.*)|packs|unreferenced packs)?$");

    /** The figures of restic's prune report, by line. */
    static Map<String, String> resticPlan(String out) {
        Map<String, String> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher x = LINE.matcher(line.strip());
            if (x.matches()) {
                String key = x.group(1) + (x.group(3) != null && x.group(3).startsWith("blobs") ? "" : " packs");
                if (x.group(3) != null && x.group(3).contains("unreferenced")) {
                    key = "unreferenced packs";
                }
                m.merge(key, x.group(2) + (x.group(4) != null ? " / " + x.group(4).strip() : ""), (p, q) -> p + "; " + q);
            }
        }
        return m;
    }

    /** Our statistics printed as restic's report would print them. */
    static Map<String, String> figures(PruneStats s) {
        Map<String, String> m = new TreeMap<>();
        m.put("used", s.blobs().used() + " / " + bytes(s.sizes().used()));
        if (s.blobs().duplicate() > 0) {
            m.put("duplicates", s.blobs().duplicate() + " / " + bytes(s.sizes().duplicate()));
        }
        m.put("unused", s.blobs().unused() + " / " + bytes(s.sizes().unused()));
        m.put("to repack", s.blobs().repack() + " / " + bytes(s.sizes().repack()));
        m.put("this removes", s.blobs().repackRemove() + " / " + bytes(s.sizes().repackRemove()));
        m.put("to delete", s.blobs().remove() + " / " + bytes(s.sizes().remove() + s.sizes().unreferenced()));
        m.put("total prune", s.pruneBlobs() + " / " + bytes(s.pruneSize()));
        m.put("remaining", (s.totalBlobs() - s.pruneBlobs()) + " / " + bytes(s.totalSize() - s.pruneSize()));
        m.put("totally used packs packs", Long.toString(s.packs().used()));
        m.put("partly used packs packs", Long.toString(s.packs().partlyUsed()));
        m.put("unused packs packs", Long.toString(s.packs().unused()));
        m.put("to keep packs", Long.toString(s.packs().keep()));
        m.put("to repack packs", Long.toString(s.packs().repack()));
        m.put("to delete packs", Long.toString(s.packs().remove()));
        if (s.packs().unreferenced() > 0) {
            m.put("unreferenced packs", Long.toString(s.packs().unreferenced()));
        }
        return m;
    }

    /** restic 0.14's formatBytes; Go rounds the exact binary value, ties to even (112.3125 -> 112.312). */
    static String bytes(long c) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (c > 1L << shifts[i]) {
                double v = (double) c / (1L << shifts[i]);
                return new java.math.BigDecimal(v).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString() + " " + units[i];
            }
        }
        return c + " B";
    }
}
