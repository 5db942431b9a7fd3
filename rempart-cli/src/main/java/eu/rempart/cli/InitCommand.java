package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.ObjectLock;
import eu.rempart.vault.chunker.Polynomial;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "init", description = "create a new repository")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--copy-chunker-params", description = "use the chunker polynomial of --from-repo, so that "
            + "copies between the two repositories keep their deduplication")
    boolean copyChunkerParams;

    @Option(names = "--from-repo", paramLabel = "REPO", description = "source repository (default: $REMPART_FROM_REPOSITORY)")
    String fromRepo;

    @Option(names = "--from-password-file", paramLabel = "FILE",
            description = "its password (default: $REMPART_FROM_PASSWORD_FILE, then $REMPART_FROM_PASSWORD)")
    java.nio.file.Path fromPasswordFile;

    @Option(names = "--retention-days", paramLabel = "N", description = "s3: repositories: create the bucket with "
            + "Object Lock, every file protected from deletion and overwriting for N days (see the retention command)")
    Integer retentionDays;

    @Option(names = "--retention-mode", paramLabel = "MODE", description = "compliance (default: nobody can lift "
            + "it, not even the account owner) or governance (accounts with a special permission can)")
    String retentionMode;

    @Override
    public Integer call() throws Exception {
        Backend backend = cli.backend();
        String where = backend.location();
        if (backend.exists(FileType.CONFIG, "config")) {
            throw new CliException(ExitCodes.ERROR, "error.repoExists", where);
        }
        Polynomial pol = null;
        if (copyChunkerParams) {
            try (Repository from = cli.openFrom(fromRepo, fromPasswordFile)) {
                pol = from.config().chunkerPolynomial();
            }
        }
        ObjectLock.Retention retention = retention();
        if (retention != null) {
            if (!(backend instanceof ObjectLock lock)) {
                throw new CliException(ExitCodes.ERROR, "error.noObjectLock", where);
            }
            lock.enable(retention);
        }
        char[] pw = cli.password();
        try (Repository repo = Repository.init(backend, pw, cli.kdf(), pol, cli.username(), cli.hostname(),
                cli.cacheBaseFor(backend))) {
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "initialized");
                n.put("id", repo.config().id());
                n.put("repository", where);
                if (retention != null) {
                    n.put("retention_mode", retention.mode().name());
                    n.put("retention_days", retention.period().toDays());
                }
                cli.printJson(n);
            } else {
                cli.say("init.done", repo.config().id().substring(0, 10), where);
                if (retention != null) {
                    cli.say("init.objectLock", retention.mode(), retention.period().toDays());
                }
                cli.say("init.warning");
            }
        } finally {
            Arrays.fill(pw, '\0');
        }
        return ExitCodes.OK;
    }

    private ObjectLock.Retention retention() {
        if (retentionDays == null) {
            if (retentionMode != null) {
                throw new CliException(ExitCodes.ERROR, "error.retentionModeAlone");
            }
            return null;
        }
        return new ObjectLock.Retention(RetentionCommand.mode(retentionMode == null ? "compliance" : retentionMode),
                RetentionCommand.period(retentionDays));
    }

    static Repository init(Cli cli, Backend backend, char[] pw) throws java.io.IOException {
        return Repository.init(backend, pw, cli.kdf(), null, cli.username(), cli.hostname());
    }
}
