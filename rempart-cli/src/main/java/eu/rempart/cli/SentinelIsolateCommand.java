package eu.rempart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code rempart sentinel isolate}: not written yet. */
@Command(name = "isolate", description = "cut the machine off the network")
final class SentinelIsolateCommand implements Callable<Integer> {
    @ParentCommand
    SentinelCommand sentinel;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("sentinel isolate is not written yet");
    }
}
