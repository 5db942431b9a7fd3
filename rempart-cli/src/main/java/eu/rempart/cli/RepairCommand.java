package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repair.IndexRepair;
import eu.rempart.vault.repair.PackRepair;
import eu.rempart.vault.repair.SnapshotRepair;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.rewrite.SnapshotRewriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "repair", description = "repair a damaged repository")
final class RepairCommand {
    @ParentCommand
    Cli cli;

    /**
     * restic's {@code repair index} ({@code rebuild-index} in restic 0.14). Exit code 3 when some
     * packs could not be read: the index is whole again, but the data in those packs is missing.
     */
    @Command(name = "index", description = "rebuild the index from the packs the repository holds")
    int index(@Option(names = "--read-all-packs",
            description = "read every pack's header, not only those the index lacks or gets wrong") boolean readAll)
            throws Exception {
        IndexRepair.Result r;
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            StepCounter counter = new StepCounter(cli);
            r = IndexRepair.run(repo, readAll, new IndexRepair.Progress() {
                @Override
                public void readingPacks(long total) {
                    counter.step("repair.index.reading", total);
                }

                @Override
                public void packRead() {
                    counter.advance(1);
                }
            });
            counter.clear();
        }
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("packs", r.packs()).put("blobs", r.blobs()).put("packs_read", r.packsRead());
            ArrayNode bad = n.putArray("unreadable_packs");
            for (Map.Entry<Id, String> e : r.unreadable().entrySet()) {
                bad.addObject().put("id", e.getKey().toHex()).put("error", e.getValue());
            }
            ArrayNode damaged = n.putArray("damaged_index_files");
            r.damagedIndexFiles().forEach((id, error) -> damaged.addObject().put("id", id.toHex()).put("error", error));
            n.put("index_files_written", r.indexFilesWritten()).put("index_files_removed", r.indexFilesRemoved());
            cli.printJson(n);
        } else {
            for (Id d : r.damagedIndexFiles().keySet()) {
                cli.err.println("rempart: " + cli.msg().get("repair.index.damagedIndex", d.toHex()));
            }
            for (Map.Entry<Id, String> e : r.unreadable().entrySet()) {
                cli.err.println("rempart: " + cli.msg().get("repair.index.unreadable", e.getKey().toHex(), e.getValue()));
            }
            cli.say("repair.index.done", r.packs(), r.blobs(), r.indexFilesWritten(), r.indexFilesRemoved());
            if (!r.unreadable().isEmpty()) {
                cli.say("repair.index.missing", r.unreadable().size());
            }
        }
        return r.unreadable().isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL;
    }

    /** restic's {@code repair snapshots}: what is lost for good is taken out, so check and prune work again. */
    @Command(name = "snapshots",
            description = "rewrite the snapshots that refer to lost data without it (after repair packs or index)")
    int snapshots(@Option(names = "--forget", description = "remove the damaged snapshots once their repaired copies are saved")
            boolean forget,
            @Option(names = {"-n", "--dry-run"}, description = "change nothing, only show what would be taken out") boolean dryRun,
            @Mixin SnapshotFilter filter,
            @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "snapshots to repair (default: all matching)")
            List<String> ids) throws Exception {
        SnapshotRewriter.Result r;
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, forget && !dryRun)) {
            r = SnapshotRepair.run(repo, filter.select(cli, repo, ids), forget, dryRun);
        }
        SnapshotRewrites.report(cli, r, dryRun, "repair.snapshots");
        return ExitCodes.OK;
    }

    /**
     * restic's {@code repair packs}. Exit code 3 when some blobs could not be salvaged: the damaged
     * packs are gone, but that data is missing until a backup with --force stores it again.
     */
    @Command(name = "packs", description = "store again what damaged packs still hold, then remove them (see check --read-data)")
    int packs(@Parameters(paramLabel = "PACK", arity = "1..*", description = "ids of the damaged packs, as check names them")
            List<String> ids) throws Exception {
        List<Id> packIds = new ArrayList<>();
        for (String id : ids) {
            try {
                packIds.add(Id.parse(id.toLowerCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.ERROR, "repair.packs.badId", id);
            }
        }
        PackRepair.Result r;
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            r = PackRepair.run(repo, packIds);
        }
        int lost = 0;
        for (PackRepair.Outcome o : r.packs().values()) {
            lost += o.lost().size();
        }
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            ArrayNode packs = n.putArray("packs");
            for (Map.Entry<Id, PackRepair.Outcome> e : r.packs().entrySet()) {
                ObjectNode p = packs.addObject().put("id", e.getKey().toHex()).put("salvaged", e.getValue().salvaged());
                if (e.getValue().headerError() != null) {
                    p.put("header_error", e.getValue().headerError());
                }
                ArrayNode l = p.putArray("lost");
                e.getValue().lost().forEach(b -> l.addObject().put("type", b.type().json()).put("id", b.id().toHex()));
            }
            n.put("index_files_written", r.index().indexFilesWritten());
            cli.printJson(n);
        } else {
            for (Map.Entry<Id, PackRepair.Outcome> e : r.packs().entrySet()) {
                PackRepair.Outcome o = e.getValue();
                if (o.headerError() != null) {
                    cli.err.println("rempart: " + cli.msg().get("repair.packs.header", e.getKey().toHex(), o.headerError()));
                }
                cli.say("repair.packs.pack", e.getKey().toHex(), o.salvaged(), o.lost().size());
            }
            if (lost > 0) {
                cli.say("repair.packs.missing", lost);
            }
        }
        return lost == 0 ? ExitCodes.OK : ExitCodes.PARTIAL;
    }
}
