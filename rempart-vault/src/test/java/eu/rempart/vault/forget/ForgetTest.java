package eu.rempart.vault.forget;

import eu.rempart.vault.Id;
import eu.rempart.vault.snapshot.Snapshot;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy engine's rules that need no restic binary: parsing, Go's dates, the poisoned-history guard. */
class ForgetTest {
    static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
    static final ZoneId UTC = ZoneOffset.UTC;
    static int counter;

    static Snapshot snap(Instant time, String... tags) {
        return snap(time, "cabinet", List.of("/srv/a"), List.of(tags), null);
    }

    static Snapshot snap(Instant time, String host, List<String> paths, List<String> tags, ZoneOffset off) {
        Id id = Id.hash(("snapshot " + counter++ + " " + time).getBytes(StandardCharsets.UTF_8));
        return new Snapshot(id, time, null, Id.hash(new byte[0]), paths, host, "user", 0, 0, List.of(), tags, null,
                null, null, off);
    }

    static List<Group> apply(List<Snapshot> l, Policy p) {
        return Forget.apply(l, p, GroupBy.DEFAULT, NOW, UTC);
    }

    static Instant daysAgo(double d) {
        return NOW.minus(Duration.ofMinutes((long) (d * 24 * 60)));
    }

    @Test
    void durationsParseAndPrintAsRestic() {
        assertThat(PolicyDuration.parse("1y2m3d4h")).isEqualTo(new PolicyDuration(1, 2, 3, 4));
        assertThat(PolicyDuration.parse(" 4h3d ")).isEqualTo(new PolicyDuration(0, 0, 3, 4));
        assertThat(PolicyDuration.parse("1d2d")).isEqualTo(new PolicyDuration(0, 0, 2, 0));
        assertThat(PolicyDuration.parse("")).isEqualTo(PolicyDuration.ZERO);
        assertThat(PolicyDuration.parse("14m").toString()).isEqualTo("14m");
        assertThat(new PolicyDuration(1, 0, 7, 0).toString()).isEqualTo("1y7d");
        assertThat(PolicyDuration.ZERO.toString()).isEmpty();
        assertThatThrownBy(() -> PolicyDuration.parse("5")).hasMessage("no unit found after number 5");
        assertThatThrownBy(() -> PolicyDuration.parse("d")).hasMessage("no number found");
        assertThatThrownBy(() -> PolicyDuration.parse("5x")).hasMessage("invalid unit 'x' found after number 5");
        assertThatThrownBy(() -> PolicyDuration.parse("-1d")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Policy.builder().keepLast(-1).build()).hasMessageContaining("negative");
    }

    @Test
    void groupingParsesAsRestic() {
        assertThat(GroupBy.parse("host,paths")).isEqualTo(GroupBy.DEFAULT);
        assertThat(GroupBy.parse("hosts,path,tag")).isEqualTo(new GroupBy(true, true, true));
        assertThat(GroupBy.parse("")).isEqualTo(new GroupBy(false, false, false));
        assertThat(GroupBy.parse("tags,")).isEqualTo(new GroupBy(false, false, true));
        assertThatThrownBy(() -> GroupBy.parse("host, paths")).hasMessage("unknown grouping option: ' paths'");
    }

    @Test
    void goDateArithmeticOverflowsMonthEndsAndFollowsLocalSummerTime() {
        // 31 March minus one month: "31 February", normalised to 3 March (Java would say 28 February)
        Instant t = OffsetDateTime.parse("2023-03-31T12:00:00+02:00").toInstant();
        assertThat(GoClock.addDate(t, ZoneOffset.ofHours(2), 0, -1, 0))
                .isEqualTo(OffsetDateTime.parse("2023-03-03T12:00:00+02:00").toInstant());
        // 29 February minus a year is 1 March
        Instant leap = OffsetDateTime.parse("2024-02-29T08:00:00Z").toInstant();
        assertThat(GoClock.addDate(leap, UTC, -1, 0, 0)).isEqualTo(Instant.parse("2023-03-01T08:00:00Z"));
        // a summer time in Go's Local Paris: six months back is noon in winter time, an hour later
        // than the same step in a fixed +02:00
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant summer = OffsetDateTime.parse("2023-07-01T12:00:00+02:00").toInstant();
        assertThat(GoClock.addDate(summer, paris, 0, -6, 0))
                .isEqualTo(OffsetDateTime.parse("2023-01-01T12:00:00+01:00").toInstant());
        assertThat(GoClock.addDate(summer, ZoneOffset.ofHours(2), 0, -6, 0))
                .isEqualTo(OffsetDateTime.parse("2023-01-01T12:00:00+02:00").toInstant());
        // which location Go gives a decoded time
        Snapshot inParisOffset = snap(summer, "h", List.of("/"), List.of(), ZoneOffset.ofHours(2));
        assertThat(GoClock.location(inParisOffset, paris)).isEqualTo(paris);
        assertThat(GoClock.location(inParisOffset, ZoneId.of("America/New_York"))).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(GoClock.location(snap(summer, "h", List.of("/"), List.of(), ZoneOffset.UTC), paris)).isEqualTo(UTC);
    }

    @Test
    void bucketsUseTheWallClockOfTheOffsetTheTimeWasWrittenIn() {
        // 23:30 on the 1st in -05:00 is the 2nd in UTC: two days there, one here
        Snapshot a = snap(Instant.parse("2026-05-02T04:30:00Z"), "h", List.of("/"), List.of(), ZoneOffset.ofHours(-5));
        Snapshot b = snap(Instant.parse("2026-05-01T12:00:00Z"), "h", List.of("/"), List.of(), ZoneOffset.ofHours(-5));
        Group g = Forget.apply(List.of(a, b), Policy.builder().keepDaily(5).build(), GroupBy.DEFAULT, NOW, UTC).get(0);
        assertThat(g.keep()).containsExactly(a);
        assertThat(g.remove()).containsExactly(b);
    }

    @Test
    void anEmptyPolicyKeepsEverything() {
        List<Snapshot> l = List.of(snap(daysAgo(2)), snap(daysAgo(1)));
        Group g = apply(l, Policy.EMPTY).get(0);
        assertThat(g.remove()).isEmpty();
        assertThat(g.reasons()).allSatisfy(r -> assertThat(r.texts()).containsExactly("policy is empty"));
        assertThat(Policy.EMPTY.isEmpty()).isTrue();
        assertThat(Policy.builder().keepTags(List.of("x")).build().isEmpty()).isFalse();
    }

    @Test
    void reasonsAndCountersAreRestics() {
        Snapshot old = snap(daysAgo(40), "x", "y");
        Snapshot mid = snap(daysAgo(10));
        Snapshot recent = snap(daysAgo(1));
        Policy p = Policy.builder().keepLast(1).keepMonthly(3).keepTags(List.of("x", "y")).keepTags(List.of(""))
                .keepWithin(PolicyDuration.parse("5d")).keepWithinDaily(PolicyDuration.parse("1y")).build();
        Group g = apply(List.of(old, mid, recent), p).get(0);
        assertThat(g.keep()).containsExactly(recent, mid, old);
        assertThat(g.reasons().get(0).texts()).containsExactly("has tags []", "within 5d", "last snapshot",
                "monthly snapshot", "daily within 1y");
        assertThat(g.reasons().get(0).counters()).isEqualTo(new KeepReason.Counters(0, 0, 0, 0, 2, 0));
        assertThat(g.reasons().get(1).texts()).containsExactly("has tags []", "daily within 1y");
        assertThat(g.reasons().get(2).texts()).containsExactly("has tags [x, y]", "monthly snapshot", "daily within 1y");
        assertThat(g.reasons().get(2).counters()).isEqualTo(new KeepReason.Counters(0, 0, 0, 0, 1, 0));
    }

    @Test
    void equalTimesAreOrderedByIdSoTheResultIsTheSameEveryTime() {
        Instant t = daysAgo(1);
        Snapshot a = snap(t);
        Snapshot b = snap(t);
        Snapshot first = a.id().toHex().compareTo(b.id().toHex()) < 0 ? a : b;
        for (List<Snapshot> order : List.of(List.of(a, b), List.of(b, a))) {
            Group g = apply(order, Policy.builder().keepDaily(1).build()).get(0);
            assertThat(g.keep()).containsExactly(first);
        }
    }

    @Test
    void groupsFollowTheGroupingAndSortPathsAndTags() {
        Snapshot a = snap(daysAgo(3), "h1", List.of("/b", "/a"), List.of("y", "x"), null);
        Snapshot b = snap(daysAgo(2), "h1", List.of("/a", "/b"), List.of("x", "y"), null);
        Snapshot c = snap(daysAgo(1), "h2", List.of("/a"), List.of(), null);
        List<Group> byAll = Forget.apply(List.of(a, b, c), Policy.builder().keepLast(1).build(),
                GroupBy.parse("host,paths,tags"), NOW, UTC);
        assertThat(byAll).hasSize(2);
        assertThat(byAll.get(0).host()).isEqualTo("h1");
        assertThat(byAll.get(0).paths()).containsExactly("/a", "/b");
        assertThat(byAll.get(0).tags()).containsExactly("x", "y");
        assertThat(byAll.get(0).keep()).containsExactly(b);
        assertThat(byAll.get(1).tags()).isNull(); // untagged: restic's null
        List<Group> none = Forget.apply(List.of(a, b, c), Policy.builder().keepLast(1).build(), GroupBy.parse(""), NOW, UTC);
        assertThat(none).singleElement().satisfies(g -> {
            assertThat(g.host()).isEmpty();
            assertThat(g.paths()).isNull();
            assertThat(g.tags()).isNull();
            assertThat(g.keep()).containsExactly(c);
        });
    }

    // ------------------------------------------------------------------ the poisoned history

    @Test
    void aFutureSnapshotDoesNotPushTheNewestGoodOneOut() {
        Snapshot good1 = snap(daysAgo(3));
        Snapshot good2 = snap(daysAgo(2));
        Snapshot good3 = snap(daysAgo(1));
        Snapshot future = snap(NOW.plus(Duration.ofDays(3650)));
        Group g = apply(List.of(good1, good2, good3, future), Policy.builder().keepLast(1).build()).get(0);
        assertThat(g.keep()).containsExactly(future, good3);
        assertThat(g.remove()).containsExactly(good2, good1);
        assertThat(g.reasons().get(0).texts()).containsExactly("in the future");
        assertThat(g.reasons().get(1).texts()).containsExactly("last snapshot");
        // a clock a little ahead (within the five minutes) is an ordinary snapshot, as in restic
        Snapshot skewed = snap(NOW.plus(Duration.ofMinutes(4)));
        Group g2 = apply(List.of(good3, skewed), Policy.builder().keepLast(1).build()).get(0);
        assertThat(g2.keep()).containsExactly(skewed);
    }

    @Test
    void suspectSnapshotsTakeNoSlotAndDoNotMoveTheWithinReference() {
        Snapshot old = snap(daysAgo(60));
        Snapshot good1 = snap(daysAgo(31));
        Snapshot good2 = snap(daysAgo(30));
        List<Snapshot> attack = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            attack.add(snap(daysAgo(1 + i / 24.0), Forget.SUSPECT_TAG));
        }
        List<Snapshot> all = new ArrayList<>(List.of(old, good1, good2));
        all.addAll(attack);
        Group g = apply(all, Policy.builder().keepLast(1).keepWithin(PolicyDuration.parse("5d")).build()).get(0);
        // the within reference is good2, not the attack: good1 is within 5 days of it
        assertThat(g.keep()).containsAll(attack).contains(good2, good1).doesNotContain(old);
        assertThat(g.remove()).containsExactly(old);
        assertThat(g.reasons()).filteredOn(r -> r.snapshot().equals(good2)).singleElement()
                .satisfies(r -> assertThat(r.texts()).containsExactly("within 5d", "last snapshot"));
        assertThat(g.reasons()).filteredOn(r -> attack.contains(r.snapshot()))
                .allSatisfy(r -> assertThat(r.texts()).containsExactly("suspect"));
    }

    /** The guard changes nothing for ordinary snapshots, whatever is added around them. */
    @Property(tries = 300)
    void poisonedSnapshotsNeverChangeTheVerdictOnOrdinaryOnes(@ForAll long seed) {
        Random rnd = new Random(seed);
        List<Snapshot> ordinary = new ArrayList<>();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            ordinary.add(snap(daysAgo(rnd.nextDouble() * 900), rnd.nextBoolean() ? "h1" : "h2", List.of("/srv"),
                    rnd.nextBoolean() ? List.of() : List.of("x"), ZoneOffset.ofHours(rnd.nextInt(5) - 2)));
        }
        List<Snapshot> poisoned = new ArrayList<>();
        int k = 1 + rnd.nextInt(10);
        for (int i = 0; i < k; i++) {
            boolean future = rnd.nextBoolean();
            Instant t = future ? NOW.plus(Duration.ofMinutes(6 + rnd.nextInt(5_000_000))) : daysAgo(rnd.nextDouble() * 900);
            poisoned.add(snap(t, rnd.nextBoolean() ? "h1" : "h2", List.of("/srv"),
                    future && rnd.nextBoolean() ? List.of("x") : List.of("x", Forget.SUSPECT_TAG), null));
        }
        Policy p = Policy.builder().keepLast(rnd.nextInt(4)).keepHourly(rnd.nextInt(3)).keepDaily(rnd.nextInt(5))
                .keepWeekly(rnd.nextInt(4)).keepMonthly(rnd.nextInt(4)).keepYearly(rnd.nextInt(3))
                .keepWithin(rnd.nextBoolean() ? PolicyDuration.ZERO : new PolicyDuration(0, rnd.nextInt(6), rnd.nextInt(20), 0))
                .keepWithinDaily(rnd.nextBoolean() ? PolicyDuration.ZERO : new PolicyDuration(0, 0, rnd.nextInt(60), 0))
                .keepTags(rnd.nextInt(4) == 0 ? List.of("x") : List.of("nothing-has-this")).build();
        List<Snapshot> mixed = new ArrayList<>(ordinary);
        mixed.addAll(poisoned);
        java.util.Collections.shuffle(mixed, rnd);

        Map<Snapshot, List<String>> alone = verdicts(Forget.apply(ordinary, p, GroupBy.DEFAULT, NOW, UTC));
        Map<Snapshot, List<String>> together = verdicts(Forget.apply(mixed, p, GroupBy.DEFAULT, NOW, UTC));
        for (Snapshot s : ordinary) {
            assertThat(together.get(s)).as("verdict on %s", s.time()).isEqualTo(alone.get(s));
        }
        for (Snapshot s : poisoned) {
            assertThat(together.get(s)).as("a poisoned snapshot is kept").isNotNull().isNotEqualTo(List.of("removed"))
                    .allMatch(r -> r.equals("in the future") || r.equals("suspect"));
        }
    }

    /** Each snapshot's reasons (without the counters, which the guard may not touch either), or "removed". */
    static Map<Snapshot, List<String>> verdicts(List<Group> groups) {
        Map<Snapshot, List<String>> m = new HashMap<>();
        for (Group g : groups) {
            g.reasons().forEach(r -> m.put(r.snapshot(), r.texts()));
            g.remove().forEach(s -> m.put(s, List.of("removed")));
        }
        return m;
    }
}
