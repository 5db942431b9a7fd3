package eu.rempart.vault.forget;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * restic 0.14's retention policy ({@code forget --keep-*}). A count of 0 and a zero duration
 * disable their rule. Negative counts, which restic 0.14 accepts and which there make a policy that
 * keeps nothing (restic only gave -1 the meaning "unlimited" in 0.15), are refused.
 *
 * @param keepTags tag sets: a snapshot having every tag of any one set is kept. A set holding the
 *                 empty tag matches the snapshots without tags (restic's {@code --keep-tag ''}).
 */
public record Policy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly, int keepYearly,
        PolicyDuration keepWithin, PolicyDuration keepWithinHourly, PolicyDuration keepWithinDaily,
        PolicyDuration keepWithinWeekly, PolicyDuration keepWithinMonthly, PolicyDuration keepWithinYearly,
        List<List<String>> keepTags) {
    /** Keeps everything: forget then removes nothing. */
    public static final Policy EMPTY = builder().build();

    public Policy {
        for (int n : new int[] {keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
            if (n < 0) {
                throw new IllegalArgumentException("a number of snapshots to keep cannot be negative");
            }
        }
        keepWithin = orZero(keepWithin);
        keepWithinHourly = orZero(keepWithinHourly);
        keepWithinDaily = orZero(keepWithinDaily);
        keepWithinWeekly = orZero(keepWithinWeekly);
        keepWithinMonthly = orZero(keepWithinMonthly);
        keepWithinYearly = orZero(keepWithinYearly);
        List<List<String>> tags = new ArrayList<>();
        for (List<String> set : Objects.requireNonNullElse(keepTags, List.<List<String>>of())) {
            tags.add(List.copyOf(set));
        }
        keepTags = List.copyOf(tags);
    }

    private static PolicyDuration orZero(PolicyDuration d) {
        return d == null ? PolicyDuration.ZERO : d;
    }

    /** No rule at all: restic's forget then says so and removes nothing. */
    public boolean isEmpty() {
        return keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0
                && keepYearly == 0 && keepWithin.isZero() && keepWithinHourly.isZero() && keepWithinDaily.isZero()
                && keepWithinWeekly.isZero() && keepWithinMonthly.isZero() && keepWithinYearly.isZero()
                && keepTags.isEmpty();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fills a policy rule by rule; unset rules are off. */
    public static final class Builder {
        private int last;
        private int hourly;
        private int daily;
        private int weekly;
        private int monthly;
        private int yearly;
        private PolicyDuration within;
        private PolicyDuration withinHourly;
        private PolicyDuration withinDaily;
        private PolicyDuration withinWeekly;
        private PolicyDuration withinMonthly;
        private PolicyDuration withinYearly;
        private final List<List<String>> tags = new ArrayList<>();

        private Builder() {
        }

        public Builder keepLast(int n) {
            last = n;
            return this;
        }

        public Builder keepHourly(int n) {
            hourly = n;
            return this;
        }

        public Builder keepDaily(int n) {
            daily = n;
            return this;
        }

        public Builder keepWeekly(int n) {
            weekly = n;
            return this;
        }

        public Builder keepMonthly(int n) {
            monthly = n;
            return this;
        }

        public Builder keepYearly(int n) {
            yearly = n;
            return this;
        }

        public Builder keepWithin(PolicyDuration d) {
            within = d;
            return this;
        }

        public Builder keepWithinHourly(PolicyDuration d) {
            withinHourly = d;
            return this;
        }

        public Builder keepWithinDaily(PolicyDuration d) {
            withinDaily = d;
            return this;
        }

        public Builder keepWithinWeekly(PolicyDuration d) {
            withinWeekly = d;
            return this;
        }

        public Builder keepWithinMonthly(PolicyDuration d) {
            withinMonthly = d;
            return this;
        }

        public Builder keepWithinYearly(PolicyDuration d) {
            withinYearly = d;
            return this;
        }

        /** Adds one tag set (repeatable, like {@code --keep-tag}). */
        public Builder keepTags(List<String> set) {
            tags.add(List.copyOf(set));
            return this;
        }

        public Policy build() {
            return new Policy(last, hourly, daily, weekly, monthly, yearly, within, withinHourly, withinDaily,
                    withinWeekly, withinMonthly, withinYearly, tags);
        }
    }
}
