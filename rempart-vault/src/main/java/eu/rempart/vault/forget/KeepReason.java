package eu.rempart.vault.forget;

import eu.rempart.vault.snapshot.Snapshot;

import java.util.List;

/**
 * Why a snapshot is kept, as restic's {@code forget --json} reports it: the rules it matched, and
 * the counters of the {@code --keep-N} rules left after it.
 */
public record KeepReason(Snapshot snapshot, List<Match> matches, Counters counters) {
    public KeepReason {
        matches = List.copyOf(matches);
    }

    /** The matches as restic words them ("last snapshot", "within 1y", "has tags [a, b]"...). */
    public List<String> texts() {
        return matches.stream().map(Match::text).toList();
    }

    /** The rules a snapshot can be kept by. */
    public enum Rule {
        TAGS("has tags "), WITHIN("within "),
        LAST("last snapshot"), HOURLY("hourly snapshot"), DAILY("daily snapshot"), WEEKLY("weekly snapshot"),
        MONTHLY("monthly snapshot"), YEARLY("yearly snapshot"),
        HOURLY_WITHIN("hourly within "), DAILY_WITHIN("daily within "), WEEKLY_WITHIN("weekly within "),
        MONTHLY_WITHIN("monthly within "), YEARLY_WITHIN("yearly within "),
        /** restic's reason when no rule is given at all. */
        POLICY_EMPTY("policy is empty"),
        /** Rempart: dated more than {@link Forget#FUTURE_MARGIN} after now, left out of the policy. */
        IN_THE_FUTURE("in the future"),
        /** Rempart: tagged {@link Forget#SUSPECT_TAG}, left out of the policy. */
        SUSPECT("suspect");

        private final String text;

        Rule(String text) {
            this.text = text;
        }
    }

    /**
     * One matched rule; {@code detail} is the tag set ({@code [a, b]}) or the duration
     * ({@code 1y2m}) the rule names, "" for the others.
     */
    public record Match(Rule rule, String detail) {
        static Match of(Rule rule) {
            return new Match(rule, "");
        }

        public String text() {
            return rule.text + detail;
        }
    }

    /** The {@code --keep-N} counts still left after this snapshot (restic's "counters"). */
    public record Counters(int last, int hourly, int daily, int weekly, int monthly, int yearly) {
    }
}
