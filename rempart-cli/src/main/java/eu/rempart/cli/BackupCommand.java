package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.sentinel.backup.BackupInspector;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Compression;
import eu.rempart.vault.repository.Repository;
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

@Command(name = "backup", description = "back up files and directories into a new snapshot")
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "files and directories to back up")
    List<Path> paths = new ArrayList<>();

    @Option(names = {"-x", "--one-file-system"},
            description = "do not cross into other file systems (their mount points are kept, empty)")
    boolean oneFileSystem;

    @Option(names = "--exclude-larger-than", paramLabel = "SIZE",
            description = "leave out files larger than SIZE (k, m, g, t suffixes)")
    String excludeLargerThan;

    @Option(names = "--files-from", paramLabel = "FILE",
            description = "read the paths to back up from a file, one per line (repeatable)")
    List<Path> filesFrom = new ArrayList<>();

    @Option(names = {"-n", "--dry-run"}, description = "do not write anything: only say what the backup would add")
    boolean dryRun;

    @Option(names = "--stdin", description = "back up what standard input gives (a database dump piped in) as one file")
    boolean stdin;

    @Option(names = "--stdin-filename", paramLabel = "NAME", description = "name of that file in the snapshot (default: stdin)")
    String stdinFilename = "stdin";

    @Option(names = {"-e", "--exclude"}, paramLabel = "PATTERN", description = "exclude a pattern (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--exclude-file", paramLabel = "FILE", description = "read exclude patterns from a file (repeatable)")
    List<Path> excludeFiles = new ArrayList<>();

    @Option(names = "--iexclude", paramLabel = "PATTERN", description = "exclude a pattern, ignoring case (repeatable)")
    List<String> iexcludes = new ArrayList<>();

    @Option(names = "--iexclude-file", paramLabel = "FILE",
            description = "read exclude patterns that ignore case from a file (repeatable)")
    List<Path> iexcludeFiles = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "add a tag to the snapshot (repeatable)")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "host name recorded in the snapshot")
    String host;

    @Option(names = "--compression", paramLabel = "auto|off|max", description = "compression mode (default auto)")
    String compression = "auto";

    @Option(names = "--parent", paramLabel = "SNAPSHOT", description = "snapshot to compare with")
    String parent;

    @Option(names = "--force", description = "read every file again (no parent snapshot)")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Compression c = parseCompression(compression);
        Excludes ex = excludes();
        List<Path> paths = new ArrayList<>(this.paths);
        for (Path f : filesFrom) {
            paths.addAll(pathsFrom(f));
        }
        if (stdin && !paths.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "backup.stdinAndPaths");
        }
        if (!stdin && paths.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "error.seeHelp", cli.msg().get("error.missingParameter", "PATH"),
                    "rempart backup");
        }
        try (Repository repo = cli.open()) {
            repo.setDryRun(dryRun);
            return stdin ? runStdin(repo, c) : run(cli, repo, paths, ex, tags, host, c, parent, force);
        }
    }

    /** restic's {@code --files-from}: one path per line; blank lines and lines starting with # are skipped. */
    private static List<Path> pathsFrom(Path file) {
        List<Path> out = new ArrayList<>();
        try {
            for (String l : Excludes.listFile(file)) {
                out.add(Path.of(l));
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "error.filesFrom", file);
        }
        return out;
    }

    /** {@code --stdin}: the stream as one file; no parent, nothing to compare. */
    private int runStdin(Repository repo, Compression c) throws IOException {
        repo.setCompression(c);
        try (Lock lock = cli.beginLockAndLoadIndex(repo)) {
            BackupOptions opts = options(cli, host != null ? host : cli.hostname(), tags, Excludes.none());
            BackupResult result;
            try {
                result = Archiver.backupStream(repo, opts, System.in, stdinFilename);
            } catch (IOException | RuntimeException e) {
                lock.awaitConfirmed();
                throw e;
            }
            lock.awaitConfirmed();
            printReport(cli, result, null, repo.dryRun());
            return ExitCodes.OK;
        }
    }

    static Compression parseCompression(String s) {
        try {
            return Compression.parse(s);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.compression", s);
        }
    }

    private Excludes excludes() {
        long max = excludeLargerThan == null ? 0 : Cli.size(excludeLargerThan, "--exclude-larger-than", false);
        try {
            return Excludes.of(excludes, excludeFiles, iexcludes, iexcludeFiles).withMaxFileSize(max).withOneFileSystem(oneFileSystem);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "error.excludeFile", String.valueOf(e.getMessage()));
        }
    }

    /** The options of a backup made now by this program. */
    private static BackupOptions options(Cli cli, String hostname, List<String> tags, Excludes excludes) {
        BackupOptions d = BackupOptions.defaults(hostname, cli.username());
        return new BackupOptions(d.hostname(), d.username(), tags, excludes, d.workers(), null, "rempart " + Main.VERSION);
    }

    /** Runs a backup on an open repository and prints its report; returns 0, or 3 if files were unreadable. */
    static int run(Cli cli, Repository repo, List<Path> targets, Excludes excludes, List<String> tags, String host,
            Compression compression, String parentRef, boolean force) throws IOException {
        // missing targets are skipped and reported by the archiver; the parent is looked up by the others
        List<Path> abs = Archiver.existingTargets(targets, Path.of("").toAbsolutePath());
        List<String> absNames = abs.stream().map(Path::toString).toList();
        String hostname = host != null ? host : cli.hostname();
        repo.setCompression(compression);
        try (Lock lock = cli.beginLockAndLoadIndex(repo)) {
            if (!repo.dryRun()) {
                // Packs half-written by a killed run take space and nothing else (restic ignores them).
                repo.backend().removeAbandoned(java.time.Duration.ofHours(1));
            }
            Snapshot parent = null;
            if (parentRef != null) {
                parent = cli.snapshots(repo).find(parentRef, s -> true);
            } else if (!force) {
                parent = cli.snapshots(repo).parentFor(hostname, absNames);
            }
            if (parent != null && !cli.json) {
                cli.say("backup.parent", parent.shortId());
            }
            BackupOptions opts = options(cli, hostname, tags, excludes);
            BackupResult result;
            BackupInspector inspector = BackupInspector.forParent(parent);
            try (ProgressPrinter progress = ProgressPrinter.start(cli, abs, excludes)) {
                result = new Archiver(repo, opts, progress).inspectWith(inspector).backup(targets, parent);
            } catch (IOException | RuntimeException e) {
                lock.awaitConfirmed(); // a refused lock is the failure to report, whatever it broke
                throw e;
            }
            lock.awaitConfirmed();
            BackupInspector.Verdict verdict = inspector == null ? null : inspector.verdict();
            printReport(cli, result, verdict, repo.dryRun());
            if (verdict != null && verdict.suspect()) {
                return ExitCodes.SUSPECT;
            }
            return result.unreadable() > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
        }
    }

    /** @param dryRun nothing was written: no snapshot to name */
    static void printReport(Cli cli, BackupResult r, BackupInspector.Verdict verdict, boolean dryRun) {
        SnapshotSummary s = r.summary();
        Duration d = Duration.between(s.backupStart(), s.backupEnd());
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("message_type", "summary");
            n.put("files_new", s.filesNew());
            n.put("files_changed", s.filesChanged());
            n.put("files_unmodified", s.filesUnmodified());
            n.put("dirs_new", s.dirsNew());
            n.put("dirs_changed", s.dirsChanged());
            n.put("dirs_unmodified", s.dirsUnmodified());
            n.put("data_blobs", s.dataBlobs());
            n.put("tree_blobs", s.treeBlobs());
            n.put("data_added", s.dataAdded());
            n.put("data_added_packed", s.dataAddedPacked());
            n.put("total_files_processed", s.totalFilesProcessed());
            n.put("total_bytes_processed", s.totalBytesProcessed());
            n.put("total_duration", d.toNanos() / 1e9);
            if (dryRun) {
                n.put("dry_run", true);
            } else {
                n.put("snapshot_id", r.snapshot().id().toHex());
            }
            n.put("bytes_read", s.bytesRead());
            ArrayNode errs = n.putArray("errors");
            for (SnapshotSummary.FileError e : s.errors()) {
                errs.addObject().put("path", e.path()).put("message", e.message());
            }
            if (verdict != null) {
                ObjectNode v = n.putObject("sentinel");
                v.put("suspect", verdict.suspect()).put("inspected", verdict.inspected());
                ObjectNode c = v.putObject("findings");
                verdict.counts().forEach((k, x) -> c.put(k.name().toLowerCase(java.util.Locale.ROOT), x));
                ArrayNode ex = v.putArray("examples");
                verdict.examples().forEach(f -> ex.addObject().put("path", f.file().toString())
                        .put("reason", f.reason().name().toLowerCase(java.util.Locale.ROOT)));
            }
            cli.printJson(n);
            return;
        }
        if (verdict != null && verdict.suspect()) {
            // an alert goes to stderr even with --quiet
            int found = verdict.counts().values().stream().mapToInt(Integer::intValue).sum();
            cli.err.println(dryRun ? cli.msg().get("backup.suspectDryRun", found, verdict.inspected())
                    : cli.msg().get("backup.suspect", found, verdict.inspected(), r.snapshot().shortId()));
            verdict.examples().forEach(f -> cli.err.println("  " + f.file()));
        }
        if (!s.errors().isEmpty()) {
            // errors go to stderr even with --quiet: they are what a practice must act on
            cli.err.println(cli.msg().get("backup.errors", s.errors().size()));
            for (SnapshotSummary.FileError e : s.errors()) {
                cli.err.println("  " + cli.msg().fileError(e));
            }
        }
        if (cli.quiet) {
            return;
        }
        Messages m = cli.msg();
        cli.out.println(m.get("backup.files", s.filesNew(), s.filesChanged(), s.filesUnmodified()));
        cli.out.println(m.get("backup.dirs", s.dirsNew(), s.dirsChanged(), s.dirsUnmodified()));
        cli.out.println(m.get("backup.processed", s.totalFilesProcessed(), m.bytes(s.totalBytesProcessed())));
        cli.out.println(m.get("backup.read", m.bytes(s.bytesRead())));
        cli.out.println(m.get("backup.added", m.bytes(s.dataAdded()), m.bytes(s.dataAddedPacked())));
        cli.out.println(m.get("backup.duration", Messages.duration(d)));
        cli.out.println(dryRun ? m.get("backup.dryRun") : m.get("backup.snapshot", r.snapshot().shortId()));
        if (r.unreadable() > 0) {
            cli.out.println(m.get("backup.partial", r.unreadable()));
        }
    }
}
