package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "init", description = "create a new repository")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() throws Exception {
        Path path = cli.repoPath();
        if (Cli.repositoryExists(path)) {
            throw new CliException(ExitCodes.ERROR, "error.repoExists", path);
        }
        char[] pw = cli.password();
        try (Repository repo = init(cli, path, pw)) {
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "initialized");
                n.put("id", repo.config().id());
                n.put("repository", path.toString());
                cli.printJson(n);
            } else {
                cli.say("init.done", repo.config().id().substring(0, 10), path);
                cli.say("init.warning");
            }
        } finally {
            Arrays.fill(pw, '\0');
        }
        return ExitCodes.OK;
    }

    static Repository init(Cli cli, Path path, char[] pw) throws java.io.IOException {
        return Repository.init(new LocalBackend(path), pw, cli.kdf(), null, cli.username(), cli.hostname());
    }
}
