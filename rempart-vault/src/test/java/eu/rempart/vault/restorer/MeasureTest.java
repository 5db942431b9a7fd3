package eu.rempart.vault.restorer;

import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The totals a restore's progress is shown against are what that restore then writes. */
class MeasureTest {
    @TempDir
    Path tmp;

    @Test
    void theCountMatchesTheRestoreWithAndWithoutFilters() throws Exception {
        Path src = tmp.resolve("src");
        // files, a hard-linked pair, symlinks, a fifo, odd names
        TestTrees.build(src, 3, 80, 2, 200_000);
        Snapshot sn = LocalVault.backUp(tmp.resolve("repo"), src);
        try (Repository repo = LocalVault.open(tmp.resolve("repo"))) {

            RestoreOptions all = RestoreOptions.defaults();
            long[] counted = count(repo, all, sn);
            RestoreResult r = new Restorer(repo, all, null).restore(sn, tmp.resolve("all"));
            assertThat(r.errors()).isEmpty();
            // a hard link's second name is a link, not written again
            assertThat(counted[0]).isEqualTo(r.files() - 1 + r.others());
            assertThat(counted[1]).isEqualTo(r.bytes()).isPositive();

            RestoreOptions some = new RestoreOptions(Excludes.matching(List.of(src + "/docs/d1*"), List.of()),
                    Excludes.matching(List.of("*.odt"), List.of()), false, 2);
            counted = count(repo, some, sn);
            r = new Restorer(repo, some, null).restore(sn, tmp.resolve("some"));
            assertThat(r.files()).isPositive();
            assertThat(counted[0]).isEqualTo(r.files() + r.others());
            assertThat(counted[1]).isEqualTo(r.bytes());

            // the count stops when told to
            AtomicLong seen = new AtomicLong();
            new Restorer(repo, all, null).measure(sn, size -> seen.incrementAndGet() < 5);
            assertThat(seen.get()).isEqualTo(5);
        }
    }

    private static long[] count(Repository repo, RestoreOptions opts, Snapshot sn) {
        long[] c = new long[2];
        new Restorer(repo, opts, null).measure(sn, size -> {
            c[0]++;
            c[1] += size;
            return true;
        });
        return c;
    }
}
