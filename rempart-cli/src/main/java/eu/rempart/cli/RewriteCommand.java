package eu.rempart.cli;

import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.rewrite.SnapshotRewriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * restic's {@code rewrite}: takes files out of existing snapshots, for instance a folder backed up
 * by mistake (a disk image, a download folder), so that {@code prune} can free its space.
 */
@Command(name = "rewrite", description = "remove files from existing snapshots (exclude patterns, as for backup)")
final class RewriteCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = {"-e", "--exclude"}, paramLabel = "PATTERN", description = "remove what this pattern matches (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--exclude-file", paramLabel = "FILE", description = "read patterns from a file (repeatable)")
    List<Path> excludeFiles = new ArrayList<>();

    @Option(names = "--forget", description = "remove the old snapshots once the rewritten ones are saved")
    boolean forget;

    @Option(names = {"-n", "--dry-run"}, description = "change nothing, only show what would be removed")
    boolean dryRun;

    @Mixin
    SnapshotFilter filter;

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "snapshots to rewrite (default: all matching)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Excludes patterns = Excludes.of(excludes, excludeFiles);
        if (patterns.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "rewrite.nothing");
        }
        SnapshotRewriter.Result r;
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, forget && !dryRun)) {
            r = SnapshotRewriter.run(repo, filter.select(cli, repo, ids), SnapshotRewriter.excluding(patterns),
                    null, forget, dryRun);
        }
        SnapshotRewrites.report(cli, r, dryRun, "rewrite");
        return ExitCodes.OK;
    }
}
