package eu.rempart.cli;

import eu.rempart.sentinel.recover.NoSnapshotBeforeException;
import eu.rempart.sentinel.recover.RecoverOptions;
import eu.rempart.sentinel.recover.RecoverReport;
import eu.rempart.sentinel.recover.RecoverTime;
import eu.rempart.sentinel.recover.Recovery;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rempart recover --since TIME}: puts back, from the newest snapshot taken before TIME,
 * every file changed since then; what it replaces or cannot explain goes to a quarantine folder.
 * Exit 0 when everything in scope is as before TIME, 3 when some files had no earlier version or
 * could not be handled.
 */
@Command(name = "recover", description = "roll files changed since a time back to their last version before it")
final class RecoverCommand implements Callable<Integer> {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @ParentCommand
    Cli cli;

    @Option(names = "--since", required = true, paramLabel = "TIME",
            description = "start of the damage: 'YYYY-MM-DD HH:MM:SS' (local time) or ISO-8601")
    String since;

    @Option(names = "--paths", arity = "1..*", paramLabel = "PATH",
            description = "only these paths (default: the paths of the snapshot used)")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--dry-run", description = "show what would be done, change nothing")
    boolean dryRun;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "use snapshots of this host (default: this machine)")
    String host;

    @Option(names = "--quarantine", paramLabel = "DIR",
            description = "where to move damaged and unknown files (default: <data dir>/rempart/quarantine/<date-time>)")
    Path quarantine;

    @Override
    public Integer call() throws Exception {
        ZoneId zone = ZoneId.systemDefault();
        Instant t;
        try {
            t = RecoverTime.parse(since, zone);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "recover.badTime", since);
        }
        String h = host != null ? host : cli.hostname();
        Path q = quarantine != null ? quarantine : defaultQuarantine(cli)
                .resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now(zone)));
        RecoverReport r;
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            r = Recovery.run(repo, cli.snapshots(repo).snapshots(), new RecoverOptions(t, paths, h, q, dryRun));
        } catch (NoSnapshotBeforeException e) {
            throw new CliException(ExitCodes.ERROR, "recover.noSnapshot", local(t, zone), h);
        }
        if (cli.json) {
            cli.printJson(r.toJson());
        } else {
            print(r, zone);
        }
        for (RecoverReport.PathError e : r.errors()) {
            cli.err.println("rempart: " + e.path() + ": " + e.message());
        }
        if (!r.complete()) {
            cli.err.println("rempart: " + cli.msg().get("recover.incomplete", r.notRestorable().size(), r.errors().size()));
            return ExitCodes.PARTIAL;
        }
        return ExitCodes.OK;
    }

    private void print(RecoverReport r, ZoneId zone) {
        if (r.dryRun()) {
            cli.say("recover.dryRun");
        }
        cli.say("recover.snapshot", r.snapshotId().substring(0, 8), local(r.snapshotTime(), zone), local(r.since(), zone));
        for (String p : r.restored()) {
            cli.say("recover.restored", p);
        }
        for (RecoverReport.Quarantined x : r.quarantined()) {
            cli.say("recover.quarantined", x.path(), x.quarantinePath());
        }
        for (RecoverReport.NotRestorable x : r.notRestorable()) {
            cli.say("recover.notRestorable", x.path());
        }
        for (String p : r.leftAlone()) {
            cli.say("recover.leftAlone", p);
        }
        cli.say("recover.summary", r.restored().size(), r.quarantined().size(), r.notRestorable().size(),
                r.unchanged(), r.errors().size());
        if (!r.quarantined().isEmpty() && !r.dryRun()) {
            cli.say("recover.quarantineDir", r.quarantine());
        }
    }

    private static String local(Instant t, ZoneId zone) {
        return LOCAL.format(t.atZone(zone));
    }

    /** Next to protect's default repository, in the user's data directory. */
    static Path defaultQuarantine(Cli cli) {
        return ProtectCommand.defaultRepository(cli).resolveSibling("quarantine");
    }
}
