package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * restic's {@code tag}: changes the tags of snapshots, for instance to mark one that must be kept
 * ({@code forget --keep-tag}). A snapshot file is named by its content, so each changed snapshot is
 * saved anew (with {@code original} naming the first one) before the old file is removed.
 */
@Command(name = "tag", description = "add, remove or set the tags of snapshots")
final class TagCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--add", paramLabel = "TAG", split = ",", description = "add this tag (repeatable, or comma-separated)")
    List<String> add = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "TAG", split = ",", description = "remove this tag (repeatable, or comma-separated)")
    List<String> remove = new ArrayList<>();

    @Option(names = "--set", paramLabel = "TAG", split = ",",
            description = "replace all tags by these (repeatable, or comma-separated; --set '' removes them all)")
    List<String> set;

    @Mixin
    SnapshotFilter filter;

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "snapshots to change (default: all matching)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (set == null && add.isEmpty() && remove.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "tag.nothing");
        }
        if (set != null && (!add.isEmpty() || !remove.isEmpty())) {
            throw new CliException(ExitCodes.ERROR, "tag.setAlone");
        }
        ArrayNode changed = Cli.JSON.createArrayNode();
        int unchanged = 0;
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            for (Snapshot s : filter.select(cli, repo, ids)) {
                Set<String> tags = new LinkedHashSet<>(set == null ? s.tags() : List.of());
                if (set != null) {
                    set.stream().filter(t -> !t.isBlank()).forEach(tags::add);
                }
                tags.addAll(add);
                tags.removeAll(remove);
                if (List.copyOf(tags).equals(s.tags())) {
                    unchanged++;
                    continue;
                }
                Id id = Snapshots.save(repo, s.rewritten(s.tree(), List.copyOf(tags)));
                repo.backend().remove(FileType.SNAPSHOT, s.id().toHex());
                changed.addObject().put("old", s.id().toHex()).put("new", id.toHex()).set("tags",
                        Cli.JSON.valueToTree(tags));
                cli.say("tag.changed", s.shortId(), id.shortHex(), String.join(", ", tags));
            }
        }
        if (cli.json) {
            cli.printJson(Cli.JSON.createObjectNode().put("unchanged", unchanged).set("changed", changed));
        } else {
            cli.say("tag.done", changed.size(), unchanged);
        }
        return ExitCodes.OK;
    }
}
