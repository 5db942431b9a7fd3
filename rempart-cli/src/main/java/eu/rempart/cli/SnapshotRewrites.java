package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.rewrite.SnapshotRewriter;

import java.util.Locale;

/** The report of the commands that rewrite snapshots ({@code rewrite}, {@code repair snapshots}). */
final class SnapshotRewrites {
    private SnapshotRewrites() {
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
