package eu.rempart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code rempart recover --since TIME}: not written yet. */
@Command(name = "recover", description = "roll files changed since a time back to their last version before it")
final class RecoverCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("recover is not written yet");
    }
}
