package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "snapshots", description = "list snapshots")
final class SnapshotsCommand implements Callable<Integer> {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    Cli cli;

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    @Option(names = "--latest", paramLabel = "N", description = "only the last N snapshots of each host and set of paths")
    int latest;

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "only these snapshots (id, id prefix or latest)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (latest < 0) {
            throw new CliException(ExitCodes.ERROR, "error.usage", "--latest " + latest);
        }
        try (Repository repo = cli.open(); Lock lock = cli.beginLock(repo, false)) {
            List<Snapshot> list = new ArrayList<>(filter.select(repo, ids));
            list.sort(java.util.Comparator.comparing(Snapshot::time).thenComparing(s -> s.id().toHex()));
            if (latest > 0) {
                list = lastOfEachGroup(list, latest);
            }
            lock.awaitConfirmed();
            if (cli.json) {
                ArrayNode a = Cli.JSON.createArrayNode();
                list.forEach(s -> a.add(s.toJsonNode(true)));
                cli.printJson(a);
                return ExitCodes.OK;
            }
            Messages m = cli.msg();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {m.get("snapshots.id"), m.get("snapshots.time"), m.get("snapshots.host"),
                    m.get("snapshots.tags"), m.get("snapshots.paths")});
            for (Snapshot s : list) {
                List<String> ps = s.paths();
                rows.add(new String[] {s.shortId(), TIME.format(s.time()), s.hostname(), String.join(",", s.tags()),
                        ps.isEmpty() ? "" : ps.get(0)});
                for (int i = 1; i < ps.size(); i++) {
                    rows.add(new String[] {"", "", "", "", ps.get(i)});
                }
            }
            Table.print(cli.out, rows);
            cli.out.println(m.get("snapshots.count", list.size()));
        }
        return ExitCodes.OK;
    }

    /** restic's {@code --latest N}: the newest N of each host and set of paths, in time order. */
    private static List<Snapshot> lastOfEachGroup(List<Snapshot> oldestFirst, int n) {
        java.util.Map<List<String>, Integer> seen = new java.util.HashMap<>();
        java.util.Deque<Snapshot> kept = new java.util.ArrayDeque<>();
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            Snapshot s = oldestFirst.get(i);
            List<String> group = new ArrayList<>(s.paths().stream().sorted().toList());
            group.add(0, s.hostname());
            if (seen.merge(group, 1, Integer::sum) <= n) {
                kept.addFirst(s);
            }
        }
        return new ArrayList<>(kept);
    }

    static List<String> absolute(List<String> paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            out.add(java.nio.file.Path.of(p).toAbsolutePath().normalize().toString());
        }
        return out;
    }
}
