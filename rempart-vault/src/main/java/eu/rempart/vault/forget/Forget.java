package eu.rempart.vault.forget;

import eu.rempart.vault.forget.KeepReason.Counters;
import eu.rempart.vault.forget.KeepReason.Match;
import eu.rempart.vault.forget.KeepReason.Rule;
import eu.rempart.vault.snapshot.Snapshot;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Which snapshots a retention policy keeps, exactly as restic 0.14's {@code forget} decides:
 * <ul>
 * <li>snapshots are grouped ({@link GroupBy}) and the policy applies to each group alone;</li>
 * <li>a group is walked newest first; a snapshot is kept if it has all tags of a {@code keepTags}
 * set, if it is newer than the newest snapshot's time minus {@code keepWithin}, or if it opens a new
 * bucket of a {@code keepN} rule that has slots left (the bucket is its hour, day, ISO week, month or
 * year on the wall clock of the offset its time was written in; {@code keepLast} gives each snapshot
 * its own bucket); a new bucket means a value different from that of the last snapshot kept by that
 * rule; the {@code keepWithinX} rules keep each new bucket among the snapshots newer than the newest
 * minus their duration, without a count;</li>
 * <li>"the newest" is the newest snapshot of the group that is not after now (restic ignores future
 * times there); if none is, Go's zero time;</li>
 * <li>the reasons are restic's words, in its order: tags, within, last, hourly, daily, weekly,
 * monthly, yearly, then the within-buckets.</li>
 * </ul>
 * Where restic leaves it to chance, this is deterministic: groups come sorted by their key, and
 * snapshots with the very same time are ordered by id (restic orders them as they happened to load).
 *
 * <p><b>Rempart's protection against a poisoned history.</b> An attacker who can write snapshots
 * could date some years ahead (restic would keep them as "the last N" and let them push every real
 * snapshot out) or add many recent ones. So two kinds of snapshots are left out of the policy
 * entirely: those dated more than {@link #FUTURE_MARGIN} after now, and those tagged
 * {@link #SUSPECT_TAG} (the sentinel tags attack snapshots so). They take no slot of any rule and
 * are not "the newest" for the within rules; they are always kept, with the reason "in the future"
 * or "suspect", so that only a person removes them, by naming them ({@code forget ID}). Ordinary
 * histories (nothing tagged suspect, nothing more than five minutes ahead) get restic's result
 * unchanged.
 */
public final class Forget {
    /** The tag that takes a snapshot out of every policy. */
    public static final String SUSPECT_TAG = "suspect";
    /** Clock skew tolerated before a snapshot counts as dated in the future. */
    public static final Duration FUTURE_MARGIN = Duration.ofMinutes(5);

    private static final Comparator<Snapshot> NEWEST_FIRST = Comparator.comparing(Snapshot::time).reversed()
            .thenComparing(s -> s.id() == null ? "" : s.id().toHex());

    private Forget() {
    }

    /** Applies the policy to the snapshots now, in this machine's time zone (Go's Local). */
    public static List<Group> apply(List<Snapshot> snapshots, Policy policy, GroupBy groupBy) {
        return apply(snapshots, policy, groupBy, Instant.now(), ZoneId.systemDefault());
    }

    /** The same with the clock and Go's Local zone given (restic run with that TZ). */
    static List<Group> apply(List<Snapshot> snapshots, Policy policy, GroupBy groupBy, Instant now, ZoneId local) {
        List<Group> out = new ArrayList<>();
        for (Map.Entry<GroupBy.Key, List<Snapshot>> g : groupBy.group(snapshots).entrySet()) {
            out.add(applyToGroup(g.getKey(), g.getValue(), policy, now, local));
        }
        return out;
    }

    /** One rule of the kind "keep the last n hourly/daily/... snapshots". */
    private static final class Bucket {
        final Rule rule;
        final ToLongFunction<LocalDateTime> key;
        int count;
        long last = -1;

        Bucket(Rule rule, int count, ToLongFunction<LocalDateTime> key) {
            this.rule = rule;
            this.count = count;
            this.key = key;
        }
    }

    /** One rule of the kind "keep one hourly/daily/... snapshot within a duration". */
    private static final class WithinBucket {
        final Rule rule;
        final PolicyDuration within;
        final ToLongFunction<LocalDateTime> key;
        Instant after;
        long last = -1;

        WithinBucket(Rule rule, PolicyDuration within, ToLongFunction<LocalDateTime> key) {
            this.rule = rule;
            this.within = within;
            this.key = key;
        }
    }

    private static Group applyToGroup(GroupBy.Key key, List<Snapshot> group, Policy p, Instant now, ZoneId local) {
        List<Snapshot> list = new ArrayList<>(group);
        list.sort(NEWEST_FIRST);
        List<Snapshot> keep = new ArrayList<>();
        List<Snapshot> remove = new ArrayList<>();
        List<KeepReason> reasons = new ArrayList<>();
        Instant futureLimit = now.plus(FUTURE_MARGIN);

        // the newest snapshot in the policy that is not in the future: the within rules' reference
        Snapshot latest = null;
        for (Snapshot s : list) {
            if (!poisoned(s, futureLimit).isEmpty()) {
                continue;
            }
            if (s.time().isBefore(now) && (latest == null || s.time().isAfter(latest.time()))) {
                latest = s;
            }
        }
        Instant latestTime = latest == null ? GoClock.ZERO : latest.time();
        ZoneId latestZone = latest == null ? ZoneOffset.UTC : GoClock.location(latest, local);

        Bucket[] buckets = {
            new Bucket(Rule.LAST, p.keepLast(), null),
            new Bucket(Rule.HOURLY, p.keepHourly(), GoClock::yearMonthDayHour),
            new Bucket(Rule.DAILY, p.keepDaily(), GoClock::yearMonthDay),
            new Bucket(Rule.WEEKLY, p.keepWeekly(), GoClock::yearWeek),
            new Bucket(Rule.MONTHLY, p.keepMonthly(), GoClock::yearMonth),
            new Bucket(Rule.YEARLY, p.keepYearly(), GoClock::year),
        };
        WithinBucket[] withins = {
            new WithinBucket(Rule.HOURLY_WITHIN, p.keepWithinHourly(), GoClock::yearMonthDayHour),
            new WithinBucket(Rule.DAILY_WITHIN, p.keepWithinDaily(), GoClock::yearMonthDay),
            new WithinBucket(Rule.WEEKLY_WITHIN, p.keepWithinWeekly(), GoClock::yearWeek),
            new WithinBucket(Rule.MONTHLY_WITHIN, p.keepWithinMonthly(), GoClock::yearMonth),
            new WithinBucket(Rule.YEARLY_WITHIN, p.keepWithinYearly(), GoClock::year),
        };
        for (WithinBucket w : withins) {
            w.after = cutoff(latestTime, latestZone, w.within);
        }
        Instant withinAfter = cutoff(latestTime, latestZone, p.keepWithin());

        int nr = 0;
        for (Snapshot cur : list) {
            List<Match> matches = poisoned(cur, futureLimit);
            if (!matches.isEmpty()) {
                keep.add(cur);
                reasons.add(new KeepReason(cur, matches, counters(buckets)));
                continue;
            }
            if (p.isEmpty()) {
                keep.add(cur);
                reasons.add(new KeepReason(cur, List.of(Match.of(Rule.POLICY_EMPTY)), new Counters(0, 0, 0, 0, 0, 0)));
                continue;
            }
            matches = new ArrayList<>();
            for (List<String> set : p.keepTags()) {
                if (hasTags(cur, set)) {
                    matches.add(new Match(Rule.TAGS, "[" + String.join(", ", set) + "]"));
                }
            }
            if (withinAfter != null && cur.time().isAfter(withinAfter)) {
                matches.add(new Match(Rule.WITHIN, p.keepWithin().toString()));
            }
            LocalDateTime wall = GoClock.wallClock(cur, local);
            for (Bucket b : buckets) {
                if (b.count > 0) {
                    long val = b.key == null ? nr : b.key.applyAsLong(wall);
                    if (val != b.last) {
                        b.last = val;
                        b.count--;
                        matches.add(Match.of(b.rule));
                    }
                }
            }
            for (WithinBucket w : withins) {
                if (w.after != null && cur.time().isAfter(w.after)) {
                    long val = w.key.applyAsLong(wall);
                    if (val != w.last) {
                        w.last = val;
                        matches.add(new Match(w.rule, w.within.toString()));
                    }
                }
            }
            if (matches.isEmpty()) {
                remove.add(cur);
            } else {
                keep.add(cur);
                reasons.add(new KeepReason(cur, matches, counters(buckets)));
            }
            nr++;
        }
        return new Group(key.host(), key.paths(), key.tags(), keep, remove, reasons);
    }

    /** Why the snapshot is left out of the policy (nothing for an ordinary one). */
    private static List<Match> poisoned(Snapshot s, Instant futureLimit) {
        List<Match> m = new ArrayList<>(2);
        if (s.time().isAfter(futureLimit)) {
            m.add(Match.of(Rule.IN_THE_FUTURE));
        }
        if (s.tags().contains(SUSPECT_TAG)) {
            m.add(Match.of(Rule.SUSPECT));
        }
        return m;
    }

    /** The time a snapshot must be after to be within {@code d} of the newest; null if d is zero. */
    private static Instant cutoff(Instant latest, ZoneId zone, PolicyDuration d) {
        if (d.isZero()) {
            return null;
        }
        return GoClock.addDate(latest, zone, -d.years(), -d.months(), -d.days()).minus(Duration.ofHours(d.hours()));
    }

    /** restic's HasTags: every tag of the set, where the empty tag matches a snapshot without tags. */
    static boolean hasTags(Snapshot s, List<String> set) {
        for (String tag : set) {
            if (tag.isEmpty() && s.tags().isEmpty()) {
                return true;
            }
            if (!s.tags().contains(tag)) {
                return false;
            }
        }
        return true;
    }

    private static Counters counters(Bucket[] b) {
        return new Counters(b[0].count, b[1].count, b[2].count, b[3].count, b[4].count, b[5].count);
    }
}
