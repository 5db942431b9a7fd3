package eu.rempart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "version", description = "print the version")
final class VersionCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        if (cli.json) {
            cli.printJson(Cli.JSON.createObjectNode().put("message_type", "version").put("version", Main.VERSION)
                    .put("java_version", System.getProperty("java.version")));
        } else {
            cli.out.println("rempart " + Main.VERSION + " (Java " + System.getProperty("java.version") + ")");
        }
        return ExitCodes.OK;
    }
}
