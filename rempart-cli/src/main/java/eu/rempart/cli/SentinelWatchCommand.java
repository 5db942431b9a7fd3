package eu.rempart.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code rempart sentinel watch PATH...}: not written yet. */
@Command(name = "watch", description = "watch folders for ransomware")
final class SentinelWatchCommand implements Callable<Integer> {
    @ParentCommand
    SentinelCommand sentinel;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("sentinel watch is not written yet");
    }
}
