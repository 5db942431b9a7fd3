package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.cache.CachedBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * restic's {@code cache}: lists the local caches of remote repositories and removes those unused
 * for a while (each repository's index, snapshots and tree packs, and the key file copies), so an
 * IT provider sees what a workstation keeps and can free it.
 */
@Command(name = "cache", description = "list the local caches of remote repositories; remove old ones")
final class CacheCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--cleanup", description = "remove the caches not used for --max-age days")
    boolean cleanup;

    @Option(names = "--max-age", paramLabel = "DAYS", defaultValue = "30",
            description = "age in days after which an unused cache is old (default: ${DEFAULT-VALUE})")
    int maxAgeDays;

    @Option(names = "--no-size", description = "do not compute the size of each cache")
    boolean noSize;

    @Override
    public Integer call() throws Exception {
        if (maxAgeDays < 0) {
            throw new CliException(ExitCodes.ERROR, "error.usage", "--max-age: " + maxAgeDays);
        }
        Path base = cli.cacheLocation();
        Duration maxAge = Duration.ofDays(maxAgeDays);
        List<String> removed = cleanup ? CachedBackend.removeUnused(base, maxAge) : List.of();
        List<CachedBackend.Entry> caches = CachedBackend.list(base, !noSize);
        Instant old = Instant.now().minus(maxAge);
        if (cli.json) {
            ObjectNode o = Cli.JSON.createObjectNode().put("directory", base.toString());
            ArrayNode a = o.putArray("caches");
            for (CachedBackend.Entry e : caches) {
                ObjectNode c = a.addObject().put("repository_id", e.repositoryId())
                        .put("last_used", e.lastUsed().toString()).put("old", e.lastUsed().isBefore(old));
                if (!noSize) {
                    c.put("size", e.bytes());
                }
            }
            ArrayNode r = o.putArray("removed");
            removed.forEach(r::add);
            cli.printJson(o);
            return ExitCodes.OK;
        }
        Messages m = cli.msg();
        if (cleanup) {
            cli.out.println(m.get("cache.removed", removed.size(), base));
        }
        if (caches.isEmpty()) {
            cli.out.println(m.get("cache.none", base));
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(noSize ? new String[] {m.get("cache.id"), m.get("cache.lastUsed"), m.get("cache.old")}
                : new String[] {m.get("cache.id"), m.get("cache.lastUsed"), m.get("cache.old"), m.get("cache.size")});
        for (CachedBackend.Entry e : caches) {
            long days = Duration.between(e.lastUsed(), Instant.now()).toDays();
            String id = e.repositoryId().substring(0, 10);
            String age = m.get("cache.daysAgo", days);
            String isOld = e.lastUsed().isBefore(old) ? m.get("cache.yes") : "";
            rows.add(noSize ? new String[] {id, age, isOld} : new String[] {id, age, isOld, m.bytes(e.bytes())});
        }
        Table.print(cli.out, rows);
        cli.out.println(m.get("cache.count", caches.size(), base));
        return ExitCodes.OK;
    }
}
