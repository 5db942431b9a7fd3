package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.restorer.RestoreResult;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restore", description = "restore a snapshot into a directory")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id, id prefix or 'latest'")
    String snapshot;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR", description = "directory to restore into")
    Path target;

    @Option(names = {"-i", "--include"}, paramLabel = "PATTERN", description = "restore only matching paths (repeatable)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--iinclude", paramLabel = "PATTERN", description = "as --include, ignoring case (repeatable)")
    List<String> iincludes = new ArrayList<>();

    @Option(names = {"-e", "--exclude"}, paramLabel = "PATTERN", description = "do not restore matching paths (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--iexclude", paramLabel = "PATTERN", description = "as --exclude, ignoring case (repeatable)")
    List<String> iexcludes = new ArrayList<>();

    @Option(names = "--verify", description = "read restored files back and check them")
    boolean verify;

    @Option(names = "--overwrite", paramLabel = "MODE", description = "files already in the target: always (default: "
            + "replaced unless their content, read back, is right), if-changed (size and time alike: taken as right), "
            + "if-newer (replaced only by a newer version), never")
    String overwrite = "always";

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "with 'latest': newest snapshot of this host")
    String host;

    @Option(names = "--path", paramLabel = "PATH", description = "with 'latest': newest snapshot of these paths")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RestoreOptions.Overwrite mode = RestoreOptions.Overwrite.of(overwrite)
                .orElseThrow(() -> new CliException(ExitCodes.ERROR, "restore.badOverwrite", overwrite));
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            Snapshot sn = cli.snapshots(repo).find(snapshot, Snapshots.filter(host, null, SnapshotsCommand.absolute(paths)));
            cli.say("restore.start", sn.shortId(), target.toAbsolutePath().normalize());
            long start = System.nanoTime();
            RestoreOptions o = new RestoreOptions(Excludes.matching(includes, iincludes),
                    Excludes.matching(excludes, iexcludes), verify, RestoreOptions.defaults().workers(), mode);
            // the totals for the ETA: the same restore, counted on the scan thread
            ProgressPrinter progress = ProgressPrinter.start(cli, p -> new Restorer(repo, o, null).measure(sn, p::found));
            Restorer restorer = new Restorer(repo, o, progress);
            RestoreResult r;
            try (progress) {
                r = restorer.restore(sn, target);
            } catch (IOException | RuntimeException e) {
                // Main.report says why it stopped; first what the target now holds.
                cli.err.println("rempart: " + cli.msg().get("restore.stopped", restorer.result().files(),
                        restorer.removedUnfinished()));
                throw e;
            }
            Duration d = Duration.ofNanos(System.nanoTime() - start);
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "summary");
                n.put("snapshot_id", sn.id().toHex());
                n.put("files_restored", r.files());
                n.put("dirs_restored", r.dirs());
                n.put("others_restored", r.others());
                n.put("bytes_restored", r.bytes());
                n.put("files_skipped", r.skippedFiles());
                n.put("bytes_skipped", r.skippedBytes());
                n.put("files_verified", r.verifiedFiles());
                n.put("total_duration", d.toNanos() / 1e9);
                ArrayNode errs = n.putArray("errors");
                for (SnapshotSummary.FileError e : r.errors()) {
                    errs.addObject().put("path", e.path()).put("message", e.message());
                }
                cli.printJson(n);
            } else {
                for (SnapshotSummary.FileError e : r.errors()) {
                    cli.err.println("rempart: " + cli.msg().fileError(e));
                }
                Messages m = cli.msg();
                cli.say("restore.done", r.files(), r.dirs(), r.others(), m.bytes(r.bytes()), Messages.duration(d));
                if (r.skippedFiles() > 0) {
                    cli.say("restore.skipped", r.skippedFiles(), m.bytes(r.skippedBytes()));
                }
                if (verify) {
                    cli.say("restore.verified", r.verifiedFiles());
                }
            }
            if (!r.errors().isEmpty()) {
                throw new CliException(ExitCodes.ERROR, "restore.failed", r.errors().size());
            }
        }
        return ExitCodes.OK;
    }
}
