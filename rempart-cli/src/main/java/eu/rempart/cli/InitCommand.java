package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
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
        char[] pw = cli.password();
        try (Repository repo = Repository.init(backend, pw, cli.kdf(), pol, cli.username(), cli.hostname())) {
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "initialized");
                n.put("id", repo.config().id());
                n.put("repository", where);
                cli.printJson(n);
            } else {
                cli.say("init.done", repo.config().id().substring(0, 10), where);
                cli.say("init.warning");
            }
        } finally {
            Arrays.fill(pw, '\0');
        }
        return ExitCodes.OK;
    }

    static Repository init(Cli cli, Backend backend, char[] pw) throws java.io.IOException {
        return Repository.init(backend, pw, cli.kdf(), null, cli.username(), cli.hostname());
    }
}
