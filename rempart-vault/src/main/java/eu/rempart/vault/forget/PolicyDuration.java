package eu.rempart.vault.forget;

/**
 * A span of calendar time as restic's {@code --keep-within*} flags take it: {@code 1y5m7d2h} is one
 * year, five months, seven days and two hours. Years, months and days are calendar steps back from
 * the newest snapshot's wall clock (Go's {@code AddDate}), hours are then subtracted as exact hours.
 * Negative components, which restic 0.14 parses, are refused here: they would keep nothing.
 */
public record PolicyDuration(int years, int months, int days, int hours) {
    public static final PolicyDuration ZERO = new PolicyDuration(0, 0, 0, 0);

    public PolicyDuration {
        if (years < 0 || months < 0 || days < 0 || hours < 0) {
            throw new IllegalArgumentException("a retention duration cannot be negative");
        }
    }

    /**
     * Parses restic's syntax: numbers each followed by a unit y, m, d or h, in any order; a unit
     * given twice keeps the last value; surrounding white space is ignored; the empty string is
     * zero. The error messages are restic's.
     */
    public static PolicyDuration parse(String text) {
        String s = text.strip();
        int[] v = new int[4]; // y m d h
        int i = 0;
        while (i < s.length()) {
            boolean negative = s.charAt(i) == '-';
            int start = negative ? i + 1 : i;
            int end = start;
            while (end < s.length() && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
                end++;
            }
            if (end == start) {
                throw new IllegalArgumentException("no number found");
            }
            int num;
            try {
                num = Integer.parseInt(s.substring(start, end));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("number too large: " + s.substring(start, end));
            }
            if (negative) {
                num = -num;
            }
            if (end == s.length()) {
                throw new IllegalArgumentException("no unit found after number " + num);
            }
            char unit = s.charAt(end);
            int slot = "ymdh".indexOf(unit);
            if (slot < 0) {
                throw new IllegalArgumentException("invalid unit '" + unit + "' found after number " + num);
            }
            v[slot] = num;
            i = end + 1;
        }
        return new PolicyDuration(v[0], v[1], v[2], v[3]);
    }

    public boolean isZero() {
        return years == 0 && months == 0 && days == 0 && hours == 0;
    }

    /** restic's form: {@code 1y2m3d4h} with the zero parts left out (the zero duration is ""). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (years != 0) {
            sb.append(years).append('y');
        }
        if (months != 0) {
            sb.append(months).append('m');
        }
        if (days != 0) {
            sb.append(days).append('d');
        }
        if (hours != 0) {
            sb.append(hours).append('h');
        }
        return sb.toString();
    }
}
