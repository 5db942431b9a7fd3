package eu.rempart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code rempart sentinel watch|isolate}: ransomware detection and containment on this machine. */
@Command(name = "sentinel", description = "detect ransomware, stop it, cut the machine off the network",
        subcommands = {SentinelWatchCommand.class, SentinelIsolateCommand.class})
final class SentinelCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        cli.err.println("rempart sentinel: " + cli.msg().get("error.usage", "watch | isolate"));
        return ExitCodes.ERROR;
    }
}
