package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

@Command(name = "snapshots", description = "list snapshots")
final class SnapshotsCommand implements Callable<Integer> {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    Cli cli;

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    @Override
    public Integer call() throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.beginLock(repo, false)) {
            Predicate<Snapshot> f = filter.predicate();
            List<Snapshot> list = Snapshots.loadAll(repo).stream().filter(f).toList();
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

    static List<String> absolute(List<String> paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            out.add(java.nio.file.Path.of(p).toAbsolutePath().normalize().toString());
        }
        return out;
    }
}
