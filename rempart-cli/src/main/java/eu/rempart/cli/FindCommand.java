package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * restic's {@code find}: which snapshots hold a file or folder of that name, so that the version
 * to restore can be chosen. A tree shared by many snapshots (a folder that did not change between
 * daily backups) is read and searched once.
 */
@Command(name = "find", description = "find files and folders by name in the snapshots")
final class FindCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(paramLabel = "PATTERN", arity = "1..*",
            description = "name to look for: *, ? and [a-z] as in exclude patterns, matched against names, not paths")
    List<String> patterns;

    @Option(names = {"-i", "--ignore-case"}, description = "ignore case in patterns")
    boolean ignoreCase;

    @Option(names = {"-O", "--oldest"}, paramLabel = "TIME", description = "only entries modified at or after TIME (YYYY-MM-DD[ HH:MM[:SS]])")
    String oldest;

    @Option(names = {"-N", "--newest"}, paramLabel = "TIME", description = "only entries modified at or before TIME (YYYY-MM-DD[ HH:MM[:SS]])")
    String newest;

    @Option(names = {"-s", "--snapshot"}, paramLabel = "SNAPSHOT", description = "search only this snapshot (repeatable)")
    List<String> snapshotIds = new ArrayList<>();

    @Option(names = {"-l", "--long"}, description = "long format (mode, owner, size, time)")
    boolean longFormat;

    @Mixin
    SnapshotFilter filter;

    private record Hit(String path, Node node) {
    }

    private final Map<Id, List<Hit>> searched = new HashMap<>();
    private Predicate<Node> wanted;

    @Override
    public Integer call() throws Exception {
        ZoneId zone = ZoneId.systemDefault();
        Instant from = oldest == null ? Instant.MIN : time(oldest, zone, false);
        Instant to = newest == null ? Instant.MAX : time(newest, zone, true);
        Predicate<String> name = n -> false;
        for (String p : patterns) {
            name = name.or(Excludes.nameGlob(p, ignoreCase));
        }
        Predicate<String> names = name;
        wanted = n -> names.test(n.displayName()) && n.mtime() != null
                && !n.mtime().isBefore(from) && !n.mtime().isAfter(to);

        ArrayNode json = Cli.JSON.createArrayNode();
        int found = 0;
        try (Repository repo = cli.open(); Lock lock = cli.lockAndLoadIndex(repo)) {
            for (Snapshot s : filter.select(cli, repo, snapshotIds)) {
                List<Hit> hits = search(repo, s.tree());
                if (hits.isEmpty()) {
                    continue;
                }
                found += hits.size();
                if (cli.json) {
                    ObjectNode o = json.addObject();
                    ArrayNode m = o.putArray("matches");
                    hits.forEach(h -> m.add(matchJson(h.node(), h.path())));
                    o.put("hits", hits.size()).put("snapshot", s.id().toHex());
                } else {
                    cli.say("find.snapshot", s.shortId(), SnapshotsCommand.TIME.format(s.time()));
                    for (Hit h : hits) {
                        LsCommand.print(cli, h.node(), h.path(), longFormat);
                    }
                    cli.out.println();
                }
            }
        }
        if (cli.json) {
            cli.printJson(json);
        } else if (found == 0) {
            cli.say("find.none");
        }
        return ExitCodes.OK;
    }

    /** The matching entries of a tree and below, paths relative to it ("/name/..."). */
    private List<Hit> search(Repository repo, Id tree) throws IOException {
        List<Hit> known = searched.get(tree);
        if (known != null) {
            return known;
        }
        List<Hit> hits = new ArrayList<>();
        for (Node n : Cli.loadTree(repo, tree)) {
            String p = "/" + n.displayName();
            if (wanted.test(n)) {
                hits.add(new Hit(p, n));
            }
            if (n.type() == NodeType.DIR && n.subtree() != null) {
                for (Hit h : search(repo, n.subtree())) {
                    hits.add(new Hit(p + h.path(), h.node()));
                }
            }
        }
        searched.put(tree, hits);
        return hits;
    }

    /** restic's forms: a day, a minute or a second, local time; {@code end}: the last instant of it. */
    private static Instant time(String text, ZoneId zone, boolean end) {
        String s = text.strip();
        try {
            LocalDate d = LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE);
            return (end ? d.plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1) : d.atStartOfDay(zone).toInstant());
        } catch (DateTimeParseException ignored) {
            // not a day
        }
        for (String pattern : List.of("uuuu-MM-dd HH:mm", "uuuu-MM-dd HH:mm:ss")) {
            try {
                LocalDateTime t = LocalDateTime.parse(s, DateTimeFormatter.ofPattern(pattern));
                Instant i = t.atZone(zone).toInstant();
                return end ? i.plusSeconds(pattern.endsWith("ss") ? 1 : 60).minusNanos(1) : i;
            } catch (DateTimeParseException ignored) {
                // next form
            }
        }
        throw new CliException(ExitCodes.ERROR, "find.badTime", text);
    }

    /**
     * A match as {@code ls --json} shows a node, plus the fields restic's find prints that its ls
     * does not (each only when set, as restic leaves out empty ones).
     */
    static ObjectNode matchJson(Node n, String path) {
        ObjectNode o = LsCommand.nodeJson(n, path);
        if (n.user() != null && !n.user().isEmpty()) {
            o.put("user", n.user());
        }
        if (n.group() != null && !n.group().isEmpty()) {
            o.put("group", n.group());
        }
        if (n.deviceId() != 0) {
            o.put("device_id", n.deviceId());
        }
        if (n.links() != 0) {
            o.put("links", n.links());
        }
        if (n.linkTarget() != null && n.linkTarget().length > 0) {
            o.put("linktarget", new String(n.linkTarget(), StandardCharsets.UTF_8));
        }
        return o;
    }
}
