package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.forget.Forget;
import eu.rempart.vault.forget.Group;
import eu.rempart.vault.forget.GroupBy;
import eu.rempart.vault.forget.KeepReason;
import eu.rempart.vault.forget.Policy;
import eu.rempart.vault.forget.PolicyDuration;
import eu.rempart.vault.prune.PruneOptions;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * restic's {@code forget}: removes the snapshots a retention policy does not keep (group by group),
 * or the snapshots named. Only snapshot files are removed; the data they alone referenced stays
 * until a prune. Differences from restic 0.14: negative counts and durations are refused (restic
 * would keep nothing), a dry run takes a shared lock instead of an exclusive one, group headers are
 * printed without -v, and snapshots dated in the future or tagged {@code suspect} are never removed
 * by a policy (see {@link Forget}).
 */
@Command(name = "forget", description = "remove snapshots according to a retention policy, or the snapshots given")
final class ForgetCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = {"-l", "--keep-last"}, paramLabel = "N", description = "keep the last N snapshots")
    int keepLast;

    // no -H: that is --host here, as in the other commands
    @Option(names = "--keep-hourly", paramLabel = "N", description = "keep the last N hourly snapshots")
    int keepHourly;

    @Option(names = {"-d", "--keep-daily"}, paramLabel = "N", description = "keep the last N daily snapshots")
    int keepDaily;

    @Option(names = {"-w", "--keep-weekly"}, paramLabel = "N", description = "keep the last N weekly snapshots")
    int keepWeekly;

    @Option(names = {"-m", "--keep-monthly"}, paramLabel = "N", description = "keep the last N monthly snapshots")
    int keepMonthly;

    @Option(names = {"-y", "--keep-yearly"}, paramLabel = "N", description = "keep the last N yearly snapshots")
    int keepYearly;

    @Option(names = "--keep-within", paramLabel = "DURATION",
            description = "keep snapshots newer than DURATION (e.g. 1y5m7d2h) before the newest snapshot")
    String keepWithin;

    @Option(names = "--keep-within-hourly", paramLabel = "DURATION",
            description = "keep hourly snapshots newer than DURATION before the newest snapshot")
    String keepWithinHourly;

    @Option(names = "--keep-within-daily", paramLabel = "DURATION",
            description = "keep daily snapshots newer than DURATION before the newest snapshot")
    String keepWithinDaily;

    @Option(names = "--keep-within-weekly", paramLabel = "DURATION",
            description = "keep weekly snapshots newer than DURATION before the newest snapshot")
    String keepWithinWeekly;

    @Option(names = "--keep-within-monthly", paramLabel = "DURATION",
            description = "keep monthly snapshots newer than DURATION before the newest snapshot")
    String keepWithinMonthly;

    @Option(names = "--keep-within-yearly", paramLabel = "DURATION",
            description = "keep yearly snapshots newer than DURATION before the newest snapshot")
    String keepWithinYearly;

    @Option(names = "--keep-tag", paramLabel = "TAGLIST",
            description = "keep snapshots having all these comma-separated tags (repeatable)")
    List<String> keepTags = new ArrayList<>();

    @Option(names = {"-g", "--group-by"}, paramLabel = "GROUP", defaultValue = "host,paths",
            description = "group snapshots by host, paths and/or tags, comma-separated ('' for no grouping; "
                    + "default host,paths)")
    String groupBy;

    @Option(names = {"-n", "--dry-run"}, description = "remove nothing, only show what would be removed")
    boolean dryRun;

    @Option(names = {"-c", "--compact"}, description = "compact tables (no reasons, no paths)")
    boolean compact;

    @Option(names = "--prune", description = "once snapshots are removed, remove the data only they used (see prune)")
    boolean prune;

    @Mixin
    PruneFlags pruneFlags = new PruneFlags();

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*",
            description = "snapshots to remove (id, id prefix or latest); the policy is then not applied")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // bad prune flags are refused before anything is removed, as restic does
        PruneOptions pruneOptions = pruneFlags.options();
        Policy policy = policy();
        GroupBy grouping;
        try {
            grouping = GroupBy.parse(groupBy);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.groupBy", e.getMessage());
        }
        // restic locks exclusively even for a dry run; a dry run changes nothing, so a shared lock
        // is enough and does not stop a running backup
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, !dryRun)) {
            if (prune) {
                eu.rempart.vault.prune.Pruner.checkOptions(repo, pruneOptions);
            }
            Snapshots.Listing listing = cli.snapshots(repo);
            if (!ids.isEmpty()) {
                pruneAfter(repo, removeNamed(repo, listing), pruneOptions);
                return ExitCodes.OK;
            }
            // a damaged snapshot file counts for no policy and stays: only its id can remove it
            List<Snapshot> snapshots = listing.snapshots().stream().filter(filter.predicate()).toList();
            if (policy.isEmpty()) {
                // restic: this message, no JSON at all
                cli.say("forget.noPolicy");
                return ExitCodes.OK;
            }
            cli.say("forget.policy", describe(policy));
            List<Group> groups = Forget.apply(snapshots, policy, grouping);
            List<Snapshot> removed = new ArrayList<>();
            for (Group g : groups) {
                if (!cli.quiet && !cli.json) {
                    printGroup(g);
                }
                removed.addAll(g.remove());
            }
            remove(repo, removed);
            if (cli.json && !groups.isEmpty()) {
                cli.printJson(json(groups, grouping));
            }
            pruneAfter(repo, removed.size(), pruneOptions);
        }
        return ExitCodes.OK;
    }

    /** restic: prune runs only if snapshots were removed (or would be, in a dry run). */
    private void pruneAfter(Repository repo, int removed, PruneOptions opts) throws java.io.IOException {
        if (prune && removed > 0) {
            cli.say("forget.pruning", removed);
            PruneCommand.run(cli, repo, opts, dryRun);
        }
    }

    // ------------------------------------------------------------------ the policy

    Policy policy() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("keep-last", keepLast);
        counts.put("keep-hourly", keepHourly);
        counts.put("keep-daily", keepDaily);
        counts.put("keep-weekly", keepWeekly);
        counts.put("keep-monthly", keepMonthly);
        counts.put("keep-yearly", keepYearly);
        counts.forEach((flag, n) -> {
            if (n < 0) {
                throw new CliException(ExitCodes.ERROR, "error.keepNegative", flag, n);
            }
        });
        Policy.Builder b = Policy.builder().keepLast(keepLast).keepHourly(keepHourly).keepDaily(keepDaily)
                .keepWeekly(keepWeekly).keepMonthly(keepMonthly).keepYearly(keepYearly)
                .keepWithin(duration("keep-within", keepWithin))
                .keepWithinHourly(duration("keep-within-hourly", keepWithinHourly))
                .keepWithinDaily(duration("keep-within-daily", keepWithinDaily))
                .keepWithinWeekly(duration("keep-within-weekly", keepWithinWeekly))
                .keepWithinMonthly(duration("keep-within-monthly", keepWithinMonthly))
                .keepWithinYearly(duration("keep-within-yearly", keepWithinYearly));
        for (String list : keepTags) {
            // restic's TagList: split at commas, white space around each tag dropped
            List<String> set = new ArrayList<>();
            for (String t : list.split(",", -1)) {
                set.add(t.strip());
            }
            b.keepTags(set);
        }
        return b.build();
    }

    private static PolicyDuration duration(String flag, String text) {
        if (text == null) {
            return PolicyDuration.ZERO;
        }
        try {
            return PolicyDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.keepDuration", flag, text, e.getMessage());
        }
    }

    /** restic's "Applying Policy" sentence, in the user's language. */
    String describe(Policy p) {
        Messages m = cli.msg();
        List<String> keeps = new ArrayList<>();
        addCount(keeps, "forget.policy.last", p.keepLast());
        addCount(keeps, "forget.policy.hourly", p.keepHourly());
        addCount(keeps, "forget.policy.daily", p.keepDaily());
        addCount(keeps, "forget.policy.weekly", p.keepWeekly());
        addCount(keeps, "forget.policy.monthly", p.keepMonthly());
        addCount(keeps, "forget.policy.yearly", p.keepYearly());
        List<String> withins = new ArrayList<>();
        addWithin(withins, "forget.policy.withinHourly", p.keepWithinHourly());
        addWithin(withins, "forget.policy.withinDaily", p.keepWithinDaily());
        addWithin(withins, "forget.policy.withinWeekly", p.keepWithinWeekly());
        addWithin(withins, "forget.policy.withinMonthly", p.keepWithinMonthly());
        addWithin(withins, "forget.policy.withinYearly", p.keepWithinYearly());
        StringBuilder s = new StringBuilder();
        if (!keeps.isEmpty()) {
            s.append(m.get("forget.policy.counts", String.join(", ", keeps)));
        }
        if (!withins.isEmpty()) {
            s.append(s.length() > 0 ? ", " : "").append(String.join(", ", withins));
        }
        if (!p.keepTags().isEmpty()) {
            List<String> sets = p.keepTags().stream().map(t -> "[" + String.join(", ", t) + "]").toList();
            s.append(s.length() > 0 ? m.get("forget.policy.and") : "")
                    .append(m.get("forget.policy.tags", "[" + String.join(" ", sets) + "]"));
        }
        if (!p.keepWithin().isZero()) {
            s.append(s.length() > 0 ? m.get("forget.policy.and") : "")
                    .append(m.get("forget.policy.within", p.keepWithin().toString()));
        }
        return s.toString();
    }

    private void addCount(List<String> l, String key, int n) {
        if (n > 0) {
            l.add(cli.msg().get(key, n));
        }
    }

    private void addWithin(List<String> l, String key, PolicyDuration d) {
        if (!d.isZero()) {
            l.add(cli.msg().get(key, d.toString()));
        }
    }

    // ------------------------------------------------------------------ removal

    /**
     * {@code forget ID...}: the named snapshots go, whatever the policy (restic's behaviour); so does
     * a damaged snapshot file named by its id, which nothing else can remove.
     */
    private int removeNamed(Repository repo, Snapshots.Listing listing) throws java.io.IOException {
        Map<String, Snapshot> found = new TreeMap<>();
        List<Id> damaged = new ArrayList<>();
        boolean usedFilter = false;
        for (String ref : ids) {
            try {
                Snapshot s;
                if ("latest".equals(ref)) {
                    usedFilter = true;
                    s = listing.find(ref, filter.predicate());
                } else {
                    s = listing.find(ref, x -> true);
                }
                found.put(s.id().toHex(), s);
            } catch (VaultException e) {
                if (e.problem() == VaultException.Problem.SNAPSHOT_DAMAGED) {
                    listing.unreadableMatching(ref).stream().filter(id -> !damaged.contains(id)).forEach(damaged::add);
                    continue;
                }
                // restic warns and goes on with the others
                cli.err.println("rempart: " + cli.msg().get("forget.ignoring", ref,
                        cli.msg().failures().explain(e).orElse(e.getMessage())));
            }
        }
        if (!usedFilter && (filter.host != null || !filter.tags.isEmpty() || !filter.paths.isEmpty())) {
            cli.err.println("rempart: " + cli.msg().get("forget.filtersIgnored"));
        }
        remove(repo, new ArrayList<>(found.values()), damaged);
        return found.size() + damaged.size();
    }

    private void remove(Repository repo, List<Snapshot> snapshots) throws java.io.IOException {
        remove(repo, snapshots, List.of());
    }

    private void remove(Repository repo, List<Snapshot> snapshots, List<Id> damaged) throws java.io.IOException {
        if (snapshots.isEmpty() && damaged.isEmpty()) {
            return;
        }
        List<Id> sorted = new ArrayList<>(damaged);
        snapshots.forEach(s -> sorted.add(s.id()));
        sorted.sort(Comparator.comparing(Id::toHex));
        if (dryRun) {
            cli.say("forget.wouldRemove", String.join(" ", sorted.stream().map(Id::shortHex).toList()));
            return;
        }
        for (Id id : sorted) {
            repo.backend().remove(FileType.SNAPSHOT, id.toHex());
        }
        cli.say("forget.removed", sorted.size());
    }

    // ------------------------------------------------------------------ output

    /** restic's "snapshots for (host [h], paths [p]):" line; null when nothing groups them. */
    static String groupHeader(Messages m, GroupBy.Key g) {
        List<String> key = new ArrayList<>();
        if (!g.host().isEmpty()) {
            key.add(m.get("forget.group.host", g.host()));
        }
        if (g.tags() != null) {
            key.add(m.get("forget.group.tags", String.join(", ", g.tags())));
        }
        if (g.paths() != null) {
            key.add(m.get("forget.group.paths", String.join(", ", g.paths())));
        }
        return key.isEmpty() ? null : m.get("forget.group", String.join(", ", key));
    }

    private void printGroup(Group g) {
        Messages m = cli.msg();
        String header = groupHeader(m, new GroupBy.Key(g.host(), g.paths(), g.tags()));
        if (header != null) {
            cli.out.println(header);
        }
        if (!g.keep().isEmpty()) {
            cli.out.println(m.get("forget.keep", g.keep().size()));
            Map<String, List<String>> reasons = new LinkedHashMap<>();
            for (KeepReason r : g.reasons()) {
                reasons.put(r.snapshot().id().toHex(), r.matches().stream()
                        .map(x -> m.get("forget.reason." + x.rule().name().toLowerCase(Locale.ROOT), x.detail())).toList());
            }
            printTable(g.keep(), reasons);
            cli.out.println();
        }
        if (!g.remove().isEmpty()) {
            cli.out.println(m.get("forget.remove", g.remove().size()));
            printTable(g.remove(), null);
            cli.out.println();
        }
    }

    /** restic's table: oldest first, one line per reason and per path. */
    private void printTable(List<Snapshot> list, Map<String, List<String>> reasons) {
        Messages m = cli.msg();
        List<Snapshot> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing(Snapshot::time));
        boolean withReasons = reasons != null && !compact;
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of(m.get("snapshots.id"), m.get("snapshots.time"),
                m.get("snapshots.host"), m.get("snapshots.tags")));
        if (withReasons) {
            header.add(m.get("forget.reasons"));
        }
        if (!compact) {
            header.add(m.get("snapshots.paths"));
        }
        rows.add(header.toArray(new String[0]));
        for (Snapshot s : sorted) {
            List<String> rs = withReasons ? reasons.getOrDefault(s.id().toHex(), List.of()) : List.of();
            List<String> ps = compact ? List.of() : s.paths().stream().sorted().toList();
            int lines = Math.max(1, Math.max(rs.size(), ps.size()));
            for (int i = 0; i < lines; i++) {
                List<String> row = new ArrayList<>();
                boolean first = i == 0;
                row.add(first ? s.shortId() : "");
                row.add(first ? SnapshotsCommand.TIME.format(s.time()) : "");
                row.add(first ? s.hostname() : "");
                row.add(first ? String.join(",", s.tags()) : "");
                if (withReasons) {
                    row.add(i < rs.size() ? rs.get(i) : "");
                }
                if (!compact) {
                    row.add(i < ps.size() ? ps.get(i) : "");
                }
                rows.add(row.toArray(new String[0]));
            }
        }
        Table.print(cli.out, rows);
        cli.out.println(m.get("snapshots.count", sorted.size()));
    }

    /** restic's {@code forget --json}: one object per group. */
    static ArrayNode json(List<Group> groups, GroupBy grouping) {
        ArrayNode a = Cli.JSON.createArrayNode();
        for (Group g : groups) {
            ObjectNode n = a.addObject();
            strings(n, "tags", g.tags());
            n.put("host", g.host());
            strings(n, "paths", g.paths());
            snapshots(n, "keep", g.keep(), grouping);
            snapshots(n, "remove", g.remove(), grouping);
            if (g.reasons().isEmpty()) {
                n.putNull("reasons");
            } else {
                ArrayNode rs = n.putArray("reasons");
                for (KeepReason r : g.reasons()) {
                    ObjectNode o = rs.addObject();
                    o.set("snapshot", snapshot(r.snapshot(), false, grouping));
                    ArrayNode ms = o.putArray("matches");
                    r.texts().forEach(ms::add);
                    ObjectNode c = o.putObject("counters");
                    putNonZero(c, "last", r.counters().last());
                    putNonZero(c, "hourly", r.counters().hourly());
                    putNonZero(c, "daily", r.counters().daily());
                    putNonZero(c, "weekly", r.counters().weekly());
                    putNonZero(c, "monthly", r.counters().monthly());
                    putNonZero(c, "yearly", r.counters().yearly());
                }
            }
        }
        return a;
    }

    static void strings(ObjectNode n, String field, List<String> l) {
        if (l == null) {
            n.putNull(field);
        } else {
            ArrayNode a = n.putArray(field);
            l.forEach(a::add);
        }
    }

    private static void snapshots(ObjectNode n, String field, List<Snapshot> l, GroupBy grouping) {
        if (l.isEmpty()) {
            n.putNull(field); // restic's nil slice
            return;
        }
        ArrayNode a = n.putArray(field);
        l.forEach(s -> a.add(snapshot(s, true, grouping)));
    }

    /**
     * A snapshot as restic shows it there: its grouping sorted the paths, and the tags when grouping
     * by tags, in place.
     */
    private static ObjectNode snapshot(Snapshot s, boolean withIds, GroupBy grouping) {
        ObjectNode o = s.toJsonNode(withIds);
        if (o.has("paths")) {
            ArrayNode ps = o.putArray("paths");
            s.paths().stream().sorted().forEach(ps::add);
        }
        if (grouping.tags() && o.has("tags")) {
            ArrayNode ts = o.putArray("tags");
            s.tags().stream().sorted().forEach(ts::add);
        }
        return o;
    }

    private static void putNonZero(ObjectNode n, String field, int v) {
        if (v != 0) {
            n.put(field, v);
        }
    }
}
