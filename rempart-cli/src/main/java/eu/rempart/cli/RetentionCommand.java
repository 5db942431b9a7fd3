package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.backend.ObjectLock;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.retention.RetentionKeeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "retention", description = "extend the Object Lock protection of everything the repository still "
        + "needs, so that it never lapses (s3: repositories created with init --retention-days)")
final class RetentionCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--days", paramLabel = "N", description = "protect for N days from now (default: the bucket's "
            + "default retention); files protected for less than 3/4 of that are extended")
    Integer days;

    @Option(names = "--mode", paramLabel = "MODE", description = "compliance or governance, for files not protected "
            + "yet (default: the bucket's)")
    String mode;

    @Option(names = "--dry-run", description = "only report what would be extended")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            String where = repo.backend().location();
            if (!(repo.backend().store() instanceof ObjectLock ol)) {
                throw new CliException(ExitCodes.ERROR, "error.noObjectLock", where);
            }
            ObjectLock.Status status = ol.status();
            if (!status.enabled()) {
                throw new CliException(ExitCodes.ERROR, "error.objectLockOff", where);
            }
            ObjectLock.Retention defaults = status.defaults();
            if ((days == null || mode == null) && defaults == null) {
                throw new CliException(ExitCodes.ERROR, "error.noRetentionDefault", where);
            }
            Duration period = days != null ? period(days) : defaults.period();
            ObjectLock.Mode m = mode != null ? mode(mode) : defaults.mode();
            RetentionKeeper.Result r = RetentionKeeper.keep(repo, ol,
                    new RetentionKeeper.Options(period, m, dryRun, 8));
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "summary");
                n.put("repository", where);
                n.put("dry_run", dryRun);
                n.put("files", r.files());
                n.put("extended", r.extended());
                n.put("unprotected_before", r.unprotectedBefore());
                n.put("target", r.target().toString());
                if (r.protectedUntil() != null) {
                    n.put("protected_until", r.protectedUntil().toString());
                }
                r.errors().forEach(n.putArray("errors")::add);
                cli.printJson(n);
            } else {
                for (String e : r.errors()) {
                    cli.err.println("rempart: " + e);
                }
                cli.say(dryRun ? "retention.wouldExtend" : "retention.extended", r.extended(), r.files(),
                        r.target().toString());
                if (r.unprotectedBefore() > 0) {
                    cli.say("retention.unprotected", r.unprotectedBefore());
                }
                if (r.protectedUntil() != null) {
                    cli.say("retention.until", r.protectedUntil().toString());
                }
            }
            if (!r.ok()) {
                throw new CliException(ExitCodes.ERROR, "retention.failed", r.errors().size());
            }
        }
        return ExitCodes.OK;
    }

    /** A retention period of {@code days} days, 1 to 100 years' worth at most. */
    static Duration period(int days) {
        if (days < 1 || days > 36500) {
            throw new CliException(ExitCodes.ERROR, "error.retentionDays", days);
        }
        return Duration.ofDays(days);
    }

    static ObjectLock.Mode mode(String s) {
        try {
            return ObjectLock.Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.retentionMode", s);
        }
    }
}
