package eu.rempart.vault.prune;

import eu.rempart.vault.Sizes;

import java.util.Locale;

/**
 * How much unused data prune may leave behind, as restic's {@code --max-unused}: a percentage of
 * the data that remains after pruning, a number of bytes, or no limit.
 */
public final class MaxUnused {
    private final double percent; // NaN when absolute
    private final long bytes;     // Long.MAX_VALUE when unlimited

    private MaxUnused(double percent, long bytes) {
        this.percent = percent;
        this.bytes = bytes;
    }

    /** restic's default: 5 %. */
    public static final MaxUnused DEFAULT = new MaxUnused(5, 0);
    public static final MaxUnused UNLIMITED = new MaxUnused(Double.NaN, Long.MAX_VALUE);

    /**
     * Parses {@code unlimited}, {@code P%} (0 ≤ P &lt; 100) or a size with an optional k, m, g or t
     * suffix (binary units, as restic).
     *
     * @throws IllegalArgumentException with a message naming the value
     */
    public static MaxUnused parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("invalid value for --max-unused: \"" + text + "\"");
        }
        if (t.equals("unlimited")) {
            return UNLIMITED;
        }
        if (t.endsWith("%")) {
            double p;
            try {
                p = Double.parseDouble(t.substring(0, t.length() - 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid percentage \"" + text + "\" for --max-unused");
            }
            if (!(p >= 0)) {
                throw new IllegalArgumentException("percentage for --max-unused must be positive");
            }
            if (p >= 100) {
                throw new IllegalArgumentException("percentage for --max-unused must be below 100%");
            }
            return new MaxUnused(p, 0);
        }
        try {
            return new MaxUnused(Double.NaN, Sizes.parse(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " for --max-unused");
        }
    }

    /** The unused bytes tolerated after pruning when {@code used} bytes are in use. */
    long allowed(long used) {
        if (Double.isNaN(percent)) {
            return bytes;
        }
        return (long) (percent / (100 - percent) * used);
    }

    @Override
    public String toString() {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        return Double.isNaN(percent) ? Long.toString(bytes) : (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
    }
}
