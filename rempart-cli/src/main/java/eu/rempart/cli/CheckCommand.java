package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckProgress;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "check", description = "check the repository for errors")
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--read-data", description = "also read and verify all data")
    boolean readData;

    @Option(names = "--read-data-subset", paramLabel = "N%|n/m", description = "read and verify a subset of the packs")
    String subset;

    @Override
    public Integer call() throws Exception {
        if (subset != null && !subset.matches("\\d+(\\.\\d+)?%|\\d+/\\d+")) {
            throw new CliException(ExitCodes.ERROR, "error.subset", subset);
        }
        CheckOptions o = new CheckOptions(readData || subset != null, subset);
        try (Repository repo = cli.openUncached(); Lock lock = cli.beginLock(repo, true)) {
            cli.say("check.start");
            CheckProgress p = CheckProgress.NONE;
            if (cli.interactive()) {
                p = new CheckProgress() {
                    @Override
                    public void packDone(long n, long total) {
                        cli.err.print("\r" + cli.msg().get("check.progress", n, total) + "\u001b[K");
                        cli.err.flush();
                    }
                };
            }
            CheckResult r = new Checker(repo, p).check(o);
            if (cli.interactive()) {
                cli.err.print("\r\u001b[K");
            }
            lock.awaitConfirmed(); // a check that raced another locker says so, not what it read
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "summary");
                n.put("ok", r.ok());
                n.put("snapshots", r.snapshots());
                n.put("packs", r.packs());
                n.put("packs_read", r.packsRead());
                n.put("blobs", r.blobs());
                ArrayNode errors = n.putArray("errors");
                r.errors().forEach(f -> errors.add(f.toString()));
                ArrayNode hints = n.putArray("hints");
                r.hints().forEach(f -> hints.add(f.toString()));
                cli.printJson(n);
            } else {
                for (Finding h : r.hints()) {
                    cli.say("check.hint", say(cli.msg(), h));
                }
                for (Finding e : r.errors()) {
                    cli.err.println("rempart: " + say(cli.msg(), e));
                }
                cli.say("check.counts", r.snapshots(), r.packs(), r.blobs(), r.packsRead());
            }
            if (!r.ok()) {
                cli.say("check.repair");
                throw new CliException(ExitCodes.ERROR, "check.failed", r.errors().size());
            }
            cli.say("check.ok");
        }
        return ExitCodes.OK;
    }

    /**
     * The finding in the reader's language. Its English line is the vault's own ({@link
     * Finding#toString()}, as in {@code --json}), also where a kind has no French text.
     */
    static String say(Messages m, Finding f) {
        return m.failures().finding(f);
    }
}
