package eu.rempart.cli;

import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "unlock", description = "remove stale locks")
final class UnlockCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = cli.open()) {
            int n = Lock.removeStale(repo, cli.hostname());
            if (cli.json) {
                cli.printJson(Cli.JSON.createObjectNode().put("removed", n));
            } else {
                cli.say("unlock.done", n);
            }
        }
        return ExitCodes.OK;
    }
}
