package eu.rempart.vault;

import java.util.Locale;

/** Sizes as restic's flags take them. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * Digits and an optional k, m, g or t, either case (powers of 1024): "500G", "2t", "4096".
     *
     * @throws IllegalArgumentException for anything else, negative or too large
     */
    public static long parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long mult = 1;
        int shift = t.isEmpty() ? -1 : "kmgt".indexOf(t.charAt(t.length() - 1));
        if (shift >= 0) {
            mult = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, mult);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid size \"" + text + "\"");
        }
    }
}
