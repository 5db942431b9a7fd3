package eu.rempart.vault.forget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.tree.Tree;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The policy engine against the real restic 0.14: random snapshot histories (years of them, with
 * same-hour and same-day clusters, several hosts, path sets and tags, times written in various
 * offsets, snapshots placed right at the keep-within limits, month ends, one a little in the
 * future) are written as snapshot files into a real repository; {@code restic forget --dry-run
 * --json} with a random policy and grouping, run in a random time zone, must keep and remove the
 * very snapshots the engine keeps and removes, for the very reasons and with the same counters.
 */
class ForgetResticPropertiesTest {
    static final String PASSWORD = "forget-properties";
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<ZoneOffset> OFFSETS = Stream.of("Z", "+01:00", "+02:00", "-04:00", "-05:00", "+05:30", "+13:00")
            .map(ZoneOffset::of).toList();
    static final List<List<String>> PATHS = List.of(List.of("/srv/a"), List.of("/srv/b", "/srv/a"),
            List.of("/srv/a", "/srv/b"));
    static final List<List<String>> TAGS = List.of(List.of(), List.of(), List.of("x"), List.of("y"),
            List.of("x", "y"), List.of("y", "x"), List.of("z"));

    @BeforeContainer
    static void needsRestic() {
        assumeTrue(Restic.available(), "restic is not installed");
    }

    @Property(tries = 120, shrinking = ShrinkingMode.BOUNDED)
    void theEngineDecidesAsResticDoes(@ForAll long seed, @ForAll("policies") Policy policy,
            @ForAll("groupings") String groupBy, @ForAll("zones") String tz) throws Exception {
        Path dir = Files.createTempDirectory("forget-prop");
        try {
            List<Snapshot> history = writeHistory(dir, seed, policy, ZoneId.of(tz));
            List<String> args = new ArrayList<>(List.of("--no-lock", "forget", "--dry-run", "--json", "--group-by", groupBy));
            args.addAll(resticFlags(policy));
            Restic.Result r = new Restic(dir.resolve("repo"), PASSWORD).withEnv(Map.of("TZ", tz))
                    .run(args.toArray(new String[0])).assertOk();
            List<Group> ours = Forget.apply(history, policy, GroupBy.parse(groupBy), Instant.now(), ZoneId.of(tz));
            String context = "restic " + args + " TZ=" + tz + "\nhistory:\n" + describe(history)
                    + "\nrestic said:\n" + r.out();

            if (policy.isEmpty()) {
                // restic says "no policy" and prints no JSON at all; the engine keeps everything
                assertThat(r.out()).as(context).isBlank();
                assertThat(ours).allSatisfy(g -> assertThat(g.remove()).isEmpty());
                return;
            }
            Map<String, JsonNode> theirs = new LinkedHashMap<>();
            for (JsonNode g : JSON.readTree(r.out())) {
                theirs.put(key(g.get("host").asText(), g.get("paths"), g.get("tags")), g);
            }
            assertThat(ours).as(context).hasSize(theirs.size());
            for (Group g : ours) {
                JsonNode t = theirs.get(key(g.host(), JSON.valueToTree(g.paths()), JSON.valueToTree(g.tags())));
                assertThat(t).as("group %s/%s/%s\n%s", g.host(), g.paths(), g.tags(), context).isNotNull();
                assertThat(ids(g.keep())).as("kept\n" + context).isEqualTo(ids(t.get("keep")));
                assertThat(ids(g.remove())).as("removed\n" + context).isEqualTo(ids(t.get("remove")));
                List<String> ourReasons = g.reasons().stream().map(k -> k.texts() + " " + counters(k.counters())).toList();
                List<String> theirReasons = new ArrayList<>();
                for (JsonNode k : t.get("reasons")) {
                    List<String> m = new ArrayList<>();
                    k.get("matches").forEach(x -> m.add(x.asText()));
                    JsonNode c = k.get("counters");
                    theirReasons.add(m + " " + List.of(c.path("last").asInt(), c.path("hourly").asInt(),
                            c.path("daily").asInt(), c.path("weekly").asInt(), c.path("monthly").asInt(),
                            c.path("yearly").asInt()));
                }
                assertThat(ourReasons).as("reasons\n" + context).isEqualTo(theirReasons);
            }
        } finally {
            deleteTree(dir);
        }
    }

    static String key(String host, JsonNode paths, JsonNode tags) {
        return host + "|" + paths + "|" + tags;
    }

    static List<String> ids(List<Snapshot> l) {
        return l.stream().map(s -> s.id().toHex()).toList();
    }

    static List<String> ids(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null && a.isArray()) {
            a.forEach(s -> out.add(s.get("id").asText()));
        }
        return out;
    }

    static List<Integer> counters(KeepReason.Counters c) {
        return List.of(c.last(), c.hourly(), c.daily(), c.weekly(), c.monthly(), c.yearly());
    }

    // ------------------------------------------------------------------ the history

    /** Writes a random history into a new repository; returns the snapshots with their ids. */
    static List<Snapshot> writeHistory(Path dir, long seed, Policy policy, ZoneId tz) throws IOException {
        Random rnd = new Random(seed);
        Instant now = Instant.now();
        List<Timed> times = new ArrayList<>();
        Set<Instant> used = new HashSet<>();

        // the newest one in the past: often on a month's last days, where Go's date arithmetic
        // overflows (31 March minus a month is 3 March), often in the offset the time zone has
        // then (Go then does its date arithmetic in that zone, across summer time changes)
        Instant first = now.minus(Duration.ofSeconds(86_400L + rnd.nextInt(2 * 365 * 86_400)));
        ZoneOffset anchorOff = rnd.nextInt(10) < 7 ? tz.getRules().getOffset(first) : pick(rnd, OFFSETS);
        LocalDateTime wall = LocalDateTime.ofInstant(first, anchorOff).withNano(rnd.nextInt(1000) * 1_000_000);
        if (rnd.nextInt(10) < 4) {
            wall = wall.withDayOfMonth(Math.min(28 + rnd.nextInt(4), wall.toLocalDate().lengthOfMonth()));
            if (wall.toInstant(anchorOff).isAfter(now.minus(Duration.ofDays(1)))) {
                wall = wall.minusMonths(1);
            }
        }
        Instant anchor = wall.toInstant(anchorOff);
        add(times, used, anchor, anchorOff);

        // clusters of older ones: same hour, same day, same week
        int n = rnd.nextInt(30);
        int clusters = 1 + rnd.nextInt(5);
        long[] centers = new long[clusters];
        for (int i = 0; i < clusters; i++) {
            centers[i] = rnd.nextInt(3 * 365 * 86_400);
        }
        long[] spreads = {60, 3_600, 86_400, 7 * 86_400};
        for (int i = 0; i < n; i++) {
            long age = centers[rnd.nextInt(clusters)] + (long) (rnd.nextDouble() * spreads[rnd.nextInt(spreads.length)]);
            add(times, used, anchor.minusSeconds(Math.max(1, age)).minusMillis(rnd.nextInt(1000)), pick(rnd, OFFSETS));
        }

        // right at the keep-within limits, computed naively (fixed offset, clamping month ends)
        Duration[] nudges = {Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(-1),
            Duration.ofMinutes(30), Duration.ofMinutes(-30), Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(3)};
        for (PolicyDuration d : List.of(policy.keepWithin(), policy.keepWithinHourly(), policy.keepWithinDaily(),
                policy.keepWithinWeekly(), policy.keepWithinMonthly(), policy.keepWithinYearly())) {
            if (d.isZero()) {
                continue;
            }
            Instant naive = LocalDateTime.ofInstant(anchor, anchorOff).minusYears(d.years()).minusMonths(d.months())
                    .minusDays(d.days()).minusHours(d.hours()).toInstant(anchorOff);
            for (int k = 0; k < 3; k++) {
                add(times, used, naive.plus(pick(rnd, List.of(nudges))), pick(rnd, OFFSETS));
            }
        }

        // a clock a little ahead: restic leaves it out of "the newest" only
        if (rnd.nextInt(100) < 15) {
            add(times, used, now.plusSeconds(120 + rnd.nextInt(60)), pick(rnd, OFFSETS));
        }

        String host1 = "cabinet";
        String host2 = "secretariat";
        List<Snapshot> out = new ArrayList<>();
        try (Repository repo = Repository.init(new LocalBackend(dir.resolve("repo")), PASSWORD.toCharArray(),
                KdfParams.forTests(), null, "test", "test")) {
            byte[] empty = Tree.encode(List.of());
            Id tree = Id.hash(empty);
            repo.saveBlob(BlobType.TREE, tree, empty);
            repo.flush();
            for (Timed t : times) {
                Snapshot s = new Snapshot(null, t.time(), null, tree, pick(rnd, PATHS),
                        rnd.nextInt(10) < 7 ? host1 : host2, "user", 0, 0, List.of(), pick(rnd, TAGS), null, null,
                        null, t.offset());
                out.add(s.withId(repo.saveUnpacked(FileType.SNAPSHOT, s.toJson())));
            }
        }
        return out;
    }

    record Timed(Instant time, ZoneOffset offset) {
    }

    /** Adds a time unless that very instant is taken (restic orders equal times by chance). */
    static void add(List<Timed> times, Set<Instant> used, Instant t, ZoneOffset off) {
        if (used.add(t)) {
            times.add(new Timed(t, off));
        }
    }

    static <T> T pick(Random rnd, List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    static String describe(List<Snapshot> h) {
        StringBuilder sb = new StringBuilder();
        h.stream().sorted(Comparator.comparing(Snapshot::time).reversed()).forEach(s -> sb.append(s.shortId())
                .append(' ').append(new String(s.toJson()).replaceAll("\"tree\":\"[0-9a-f]+\",", "").strip())
                .append('\n'));
        return sb.toString();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ policies

    static List<String> resticFlags(Policy p) {
        List<String> a = new ArrayList<>();
        count(a, "--keep-last", p.keepLast());
        count(a, "--keep-hourly", p.keepHourly());
        count(a, "--keep-daily", p.keepDaily());
        count(a, "--keep-weekly", p.keepWeekly());
        count(a, "--keep-monthly", p.keepMonthly());
        count(a, "--keep-yearly", p.keepYearly());
        within(a, "--keep-within", p.keepWithin());
        within(a, "--keep-within-hourly", p.keepWithinHourly());
        within(a, "--keep-within-daily", p.keepWithinDaily());
        within(a, "--keep-within-weekly", p.keepWithinWeekly());
        within(a, "--keep-within-monthly", p.keepWithinMonthly());
        within(a, "--keep-within-yearly", p.keepWithinYearly());
        for (List<String> set : p.keepTags()) {
            a.add("--keep-tag=" + String.join(",", set));
        }
        return a;
    }

    static void count(List<String> a, String flag, int n) {
        if (n != 0) {
            a.add(flag + "=" + n);
        }
    }

    static void within(List<String> a, String flag, PolicyDuration d) {
        if (!d.isZero()) {
            a.add(flag + "=" + d);
        }
    }

    @Provide
    Arbitrary<Policy> policies() {
        Arbitrary<Integer> count = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(0)), net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 6)));
        Arbitrary<Integer> small = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(0)), net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 3)));
        Arbitrary<PolicyDuration> some = Combinators.combine(small, Arbitraries.integers().between(0, 14),
                Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 50))
                .as(PolicyDuration::new).filter(d -> !d.isZero());
        Arbitrary<PolicyDuration> duration = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(7, Arbitraries.just(PolicyDuration.ZERO)), net.jqwik.api.Tuple.of(3, some));
        Arbitrary<List<String>> tagSet = Arbitraries.of(List.of("x"), List.of("x", "y"), List.of(""), List.of("z"),
                List.of("y"));
        Arbitrary<List<List<String>>> tagSets = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(7, Arbitraries.just(List.<List<String>>of())),
                net.jqwik.api.Tuple.of(3, tagSet.list().ofMinSize(1).ofMaxSize(2)));
        return Combinators.combine(count.list().ofSize(6), duration.list().ofSize(6), tagSets)
                .as((c, d, t) -> new Policy(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5),
                        d.get(0), d.get(1), d.get(2), d.get(3), d.get(4), d.get(5), t));
    }

    @Provide
    Arbitrary<String> groupings() {
        return Arbitraries.of("host,paths", "host,paths", "", "host", "paths", "tags", "host,tags", "host,paths,tags",
                "paths,tags");
    }

    @Provide
    Arbitrary<String> zones() {
        return Arbitraries.of("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata");
    }
}
