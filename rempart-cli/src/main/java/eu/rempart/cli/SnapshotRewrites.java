package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.rewrite.SnapshotRewriter;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code rewrite} and {@code repair snapshots} share: which snapshots, and the report. */
final class SnapshotRewrites {
    private SnapshotRewrites() {
    }

    /** The snapshots named (ids, prefixes, latest), or else all those the filter matches. */
    static List<Snapshot> select(Repository repo, SnapshotFilter filter, List<String> ids) throws IOException {
        if (ids == null || ids.isEmpty()) {
            return Snapshots.loadAll(repo).stream().filter(filter.predicate()).toList();
        }
        List<Snapshot> out = new ArrayList<>();
        for (String ref : ids) {
            out.add(Snapshots.find(repo, ref, filter.predicate()));
        }
        return out;
    }

    /**
     * Prints the result: {@code keys}.removed and {@code keys}.emptied for each entry taken out,
     * {@code keys}.done for the counts; or the JSON.
     */
    static void report(Cli cli, SnapshotRewriter.Result r, boolean dryRun, String keys) {
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode().put("dry_run", dryRun).put("unchanged", r.unchanged());
            ArrayNode a = n.putArray("rewritten");
            for (SnapshotRewriter.Rewritten w : r.rewritten()) {
                ObjectNode o = a.addObject().put("id", w.old().id().toHex()).put("root_missing", w.rootMissing());
                ArrayNode c = o.putArray("changes");
                w.changes().forEach(ch -> c.addObject().put("path", ch.path()).put("directory", ch.directory())
                        .put("action", ch.action().name().toLowerCase(Locale.ROOT)));
                if (w.replacement() != null) {
                    o.put("replacement", w.replacement().toHex());
                }
                o.put("removed", w.removed());
            }
            cli.printJson(n);
            return;
        }
        for (SnapshotRewriter.Rewritten w : r.rewritten()) {
            String id = w.old().id().shortHex();
            for (SnapshotRewriter.Change c : w.changes()) {
                cli.say(keys + (c.action() == SnapshotRewriter.Action.EMPTY ? ".emptied" : ".removed"), id, c.path(),
                        c.directory() ? 1 : 0);
            }
            if (w.rootMissing()) {
                cli.say("rewrite.rootMissing", id);
            } else if (w.replacement() != null) {
                cli.say("rewrite.replaced", id, w.replacement().shortHex());
            }
            if (w.removed()) {
                cli.say("rewrite.oldRemoved", id);
            }
        }
        cli.say(keys + ".done", r.rewritten().size(), r.unchanged());
        if (dryRun) {
            cli.say("rewrite.dryRun");
        }
    }
}
