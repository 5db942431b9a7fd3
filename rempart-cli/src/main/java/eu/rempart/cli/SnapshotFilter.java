package eu.rempart.cli;

import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** restic's snapshot filter flags (--host, --tag, --path), shared by the commands that take them. */
final class SnapshotFilter {
    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "only snapshots of this host")
    String host;

    @Option(names = "--tag", paramLabel = "TAG", description = "only snapshots with this tag (repeatable)")
    List<String> tags = new ArrayList<>();

    @Option(names = "--path", paramLabel = "PATH", description = "only snapshots of exactly these paths (repeatable)")
    List<String> paths = new ArrayList<>();

    Predicate<Snapshot> predicate() {
        return Snapshots.filter(host, tags, SnapshotsCommand.absolute(paths));
    }

    /** The snapshots named (ids, prefixes, latest; each once), or else all those the filter matches. */
    List<Snapshot> select(Cli cli, Repository repo, List<String> ids) throws IOException {
        Snapshots.Listing listing = cli.snapshots(repo);
        if (ids == null || ids.isEmpty()) {
            return listing.snapshots().stream().filter(predicate()).toList();
        }
        java.util.Map<eu.rempart.vault.Id, Snapshot> out = new java.util.LinkedHashMap<>();
        for (String ref : ids) {
            Snapshot s = listing.find(ref, predicate());
            out.putIfAbsent(s.id(), s);
        }
        return new ArrayList<>(out.values());
    }
}
