package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.prune.PrunePlan;
import eu.rempart.vault.prune.PruneProgress;
import eu.rempart.vault.prune.PruneStats;
import eu.rempart.vault.prune.Pruner;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * restic's {@code prune}: deletes the data no snapshot uses any more, under an exclusive lock (a
 * running backup makes it wait for nothing: it is refused, and nothing is changed).
 */
@Command(name = "prune", description = "remove data no snapshot uses any more")
final class PruneCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Mixin
    PruneFlags flags = new PruneFlags();

    @Option(names = {"-n", "--dry-run"}, description = "change nothing, only show what would be done")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        var opts = flags.options();
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            run(cli, repo, opts, dryRun);
        }
        return ExitCodes.OK;
    }

    /** Plans and (unless a dry run) carries out a prune; the caller holds the exclusive lock. */
    static void run(Cli cli, Repository repo, eu.rempart.vault.prune.PruneOptions opts, boolean dryRun)
            throws IOException {
        Progress progress = new Progress(cli);
        PrunePlan plan = Pruner.plan(repo, opts, progress);
        progress.clear();
        printStats(cli, plan.stats());
        Pruner.Result r = null;
        if (dryRun) {
            cli.say("prune.dryRun");
        } else {
            r = Pruner.execute(repo, plan, progress);
            progress.clear();
            cli.say("prune.done");
        }
        if (cli.json) {
            cli.printJson(json(plan, r, dryRun));
        }
    }

    /** Step names on stdout, as restic; a counter on a terminal's stderr. */
    private static final class Progress implements PruneProgress {
        private final StepCounter counter;

        Progress(Cli cli) {
            this.counter = new StepCounter(cli);
        }

        @Override
        public void phase(Phase phase, long total) {
            counter.step("prune.phase." + phase.name().toLowerCase(Locale.ROOT).replace('_', '.'), total);
        }

        @Override
        public void advance(long n) {
            counter.advance(n);
        }

        void clear() {
            counter.clear();
        }
    }

    /** restic's report, in the user's language. */
    static void printStats(Cli cli, PruneStats s) {
        Messages m = cli.msg();
        cli.say("prune.stats.used", s.blobs().used(), m.bytes(s.sizes().used()));
        if (s.blobs().duplicate() > 0) {
            cli.say("prune.stats.duplicates", s.blobs().duplicate(), m.bytes(s.sizes().duplicate()));
        }
        cli.say("prune.stats.unused", s.blobs().unused(), m.bytes(s.sizes().unused()));
        if (s.sizes().unreferenced() > 0) {
            cli.say("prune.stats.unreferenced", m.bytes(s.sizes().unreferenced()));
        }
        cli.say("prune.stats.total", s.totalBlobs(), m.bytes(s.totalSize()));
        cli.say("prune.stats.unusedShare", percent(s.unusedSize(), s.totalSize()));
        cli.say("prune.stats.repack", s.blobs().repack(), m.bytes(s.sizes().repack()));
        cli.say("prune.stats.repackRemoves", s.blobs().repackRemove(), m.bytes(s.sizes().repackRemove()));
        cli.say("prune.stats.delete", s.blobs().remove(), m.bytes(s.sizes().remove() + s.sizes().unreferenced()));
        cli.say("prune.stats.prune", s.pruneBlobs(), m.bytes(s.pruneSize()));
        cli.say("prune.stats.remaining", s.totalBlobs() - s.pruneBlobs(), m.bytes(s.totalSize() - s.pruneSize()));
        cli.say("prune.stats.unusedAfter", m.bytes(s.unusedSizeAfter()),
                percent(s.unusedSizeAfter(), s.totalSize() - s.pruneSize()));
        cli.say("prune.stats.packs", s.packs().used(), s.packs().partlyUsed(), s.packs().unused(),
                s.packs().keep(), s.packs().repack(), s.packs().remove(), s.packs().unreferenced());
    }

    /** A fraction, which the messages format as a percentage in the user's locale. */
    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    static ObjectNode json(PrunePlan plan, Pruner.Result r, boolean dryRun) {
        PruneStats s = plan.stats();
        ObjectNode n = Cli.JSON.createObjectNode();
        n.put("message_type", "prune_summary");
        n.put("dry_run", dryRun);
        ObjectNode b = n.putObject("blobs");
        b.put("used", s.blobs().used());
        b.put("duplicate", s.blobs().duplicate());
        b.put("unused", s.blobs().unused());
        b.put("delete", s.blobs().remove());
        b.put("repack", s.blobs().repack());
        b.put("repack_removes", s.blobs().repackRemove());
        b.put("remaining", s.totalBlobs() - s.pruneBlobs());
        ObjectNode z = n.putObject("bytes");
        z.put("used", s.sizes().used());
        z.put("duplicate", s.sizes().duplicate());
        z.put("unused", s.sizes().unused());
        z.put("unreferenced", s.sizes().unreferenced());
        z.put("delete", s.sizes().remove() + s.sizes().unreferenced());
        z.put("repack", s.sizes().repack());
        z.put("repack_removes", s.sizes().repackRemove());
        z.put("remaining", s.totalSize() - s.pruneSize());
        z.put("unused_after", s.unusedSizeAfter());
        ObjectNode p = n.putObject("packs");
        p.put("used", s.packs().used());
        p.put("partly_used", s.packs().partlyUsed());
        p.put("unused", s.packs().unused());
        p.put("unreferenced", s.packs().unreferenced());
        p.put("keep", s.packs().keep());
        p.put("repack", s.packs().repack());
        p.put("delete", s.packs().remove());
        if (r != null) {
            n.put("packs_deleted", r.packsDeleted());
            n.put("packs_written", r.packsWritten());
            n.put("index_files_written", r.indexFilesWritten());
            n.put("index_files_deleted", r.indexFilesDeleted());
        }
        return n;
    }
}
