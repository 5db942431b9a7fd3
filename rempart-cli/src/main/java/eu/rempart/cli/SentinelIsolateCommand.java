package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.sentinel.isolate.AllowedPeer;
import eu.rempart.sentinel.isolate.Isolation;
import eu.rempart.sentinel.isolate.IsolationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code rempart sentinel isolate [--allow HOST:PORT]... | --release | --status}: cuts the machine
 * off the network except the console and vault addresses (nftables), or restores it.
 */
@Command(name = "isolate", description = "cut the machine off the network except the allowed addresses (Linux, nftables, root)")
final class SentinelIsolateCommand implements Callable<Integer> {
    @ParentCommand
    SentinelCommand sentinel;

    @Option(names = "--allow", paramLabel = "HOST:PORT",
            description = "still allow TCP/UDP with this address, e.g. vault.example.org:443 or [2001:db8::1]:443 (repeatable)")
    List<String> allow = new ArrayList<>();

    @Option(names = "--release", description = "lift the isolation (no error if there is none)")
    boolean release;

    @Option(names = "--status", description = "say whether the machine is isolated, since when, and what is allowed")
    boolean status;

    @Override
    public Integer call() {
        Cli cli = sentinel.cli;
        if ((release && status) || ((release || status) && !allow.isEmpty())) {
            throw new CliException(ExitCodes.ERROR, "isolate.exclusive");
        }
        List<AllowedPeer> peers = new ArrayList<>();
        for (String a : allow) {
            try {
                peers.add(AllowedPeer.parse(a));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.ERROR, "isolate.badAllow", a, e.getMessage());
            }
        }
        Isolation isolation = new Isolation(nftCommand(cli));
        Isolation.Status st;
        try {
            if (status) {
                st = isolation.status();
                if (!st.isolated()) {
                    cli.say("isolate.notIsolated");
                } else {
                    cli.say(st.allowed().isEmpty() ? "isolate.statusNone" : "isolate.status", since(st), peers(st));
                }
            } else if (release) {
                boolean was = isolation.release();
                st = isolation.status();
                cli.say(was ? "isolate.released" : "isolate.notIsolated");
            } else {
                st = isolation.isolate(peers);
                cli.say(st.allowed().isEmpty() ? "isolate.doneNone" : "isolate.done", since(st), peers(st));
                cli.say("isolate.hint");
            }
        } catch (IsolationException e) {
            throw failure(e);
        }
        if (cli.json) {
            ObjectNode n = Cli.JSON.createObjectNode();
            n.put("isolated", st.isolated());
            ArrayNode a = n.putArray("allowed");
            st.allowed().forEach(p -> a.add(p.toString()));
            if (st.since() != null) {
                n.put("since", st.since().toString());
            } else {
                n.putNull("since");
            }
            cli.printJson(n);
        }
        return ExitCodes.OK;
    }

    /** nft, or $REMPART_NFT split on spaces (e.g. {@code ip netns exec NS nft} to act inside a namespace). */
    static List<String> nftCommand(Cli cli) {
        String custom = cli.env("REMPART_NFT");
        return custom == null || custom.isBlank() ? List.of("nft") : List.of(custom.strip().split("\\s+"));
    }

    private static String since(Isolation.Status st) {
        return st.since() == null ? "?" : AgentCommand.TIME.format(st.since());
    }

    private static String peers(Isolation.Status st) {
        return st.allowed().stream().map(AllowedPeer::toString).collect(Collectors.joining(", "));
    }

    private static CliException failure(IsolationException e) {
        switch (e.reason()) {
            case NFT_MISSING:
                return new CliException(ExitCodes.ERROR, "isolate.nftMissing", e.detail());
            case NOT_PERMITTED:
                return new CliException(ExitCodes.ERROR, "isolate.notPermitted", e.detail());
            case UNRESOLVED:
                return new CliException(ExitCodes.ERROR, "isolate.unresolved", e.detail());
            default:
                return new CliException(ExitCodes.ERROR, "isolate.failed", e.detail());
        }
    }
}
