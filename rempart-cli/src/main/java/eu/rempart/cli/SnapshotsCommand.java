package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.forget.GroupBy;
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
import java.util.Map;
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

    @Option(names = {"-g", "--group-by"}, paramLabel = "GROUP",
            description = "list the snapshots in groups: host, paths and/or tags, comma-separated")
    String groupBy;

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "only these snapshots (id, id prefix or latest)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (latest < 0) {
            throw new CliException(ExitCodes.ERROR, "error.usage", "--latest " + latest);
        }
        GroupBy grouping;
        try {
            grouping = GroupBy.parse(groupBy == null ? "" : groupBy);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.groupBy", e.getMessage());
        }
        try (Repository repo = cli.open(); Lock lock = cli.beginLock(repo, false)) {
            List<Snapshot> list = new ArrayList<>(filter.select(cli, repo, ids));
            list.sort(java.util.Comparator.comparing(Snapshot::time).thenComparing(s -> s.id().toHex()));
            Map<GroupBy.Key, List<Snapshot>> groups = grouping.group(list);
            if (latest > 0) {
                groups.replaceAll((k, l) -> lastOfEachGroup(l, latest));
            }
            lock.awaitConfirmed();
            boolean grouped = grouping.host() || grouping.paths() || grouping.tags();
            if (cli.json) {
                ArrayNode a = Cli.JSON.createArrayNode();
                for (Map.Entry<GroupBy.Key, List<Snapshot>> g : groups.entrySet()) {
                    // restic: a plain list without --group-by, else one object per group
                    ArrayNode into = a;
                    if (grouped) {
                        ObjectNode o = a.addObject();
                        ObjectNode k = o.putObject("group_key");
                        k.put("hostname", g.getKey().host());
                        ForgetCommand.strings(k, "paths", g.getKey().paths());
                        ForgetCommand.strings(k, "tags", g.getKey().tags());
                        into = o.putArray("snapshots");
                    }
                    for (Snapshot s : g.getValue()) {
                        into.add(s.toJsonNode(true));
                    }
                }
                cli.printJson(a);
                return ExitCodes.OK;
            }
            boolean first = true;
            for (Map.Entry<GroupBy.Key, List<Snapshot>> g : groups.entrySet()) {
                if (!first) {
                    cli.out.println();
                }
                first = false;
                String header = ForgetCommand.groupHeader(cli.msg(), g.getKey());
                if (header != null) {
                    cli.out.println(header);
                }
                printTable(g.getValue());
            }
            if (groups.isEmpty()) {
                printTable(List.of());
            }
        }
        return ExitCodes.OK;
    }

    private void printTable(List<Snapshot> list) {
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

    /** restic's {@code --latest N}: the newest N of each host and set of paths, in time order. */
    private static List<Snapshot> lastOfEachGroup(List<Snapshot> oldestFirst, int n) {
        java.util.Map<GroupBy.Key, Integer> seen = new java.util.HashMap<>();
        java.util.Deque<Snapshot> kept = new java.util.ArrayDeque<>();
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            Snapshot s = oldestFirst.get(i);
            if (seen.merge(GroupBy.DEFAULT.keyOf(s), 1, Integer::sum) <= n) {
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
