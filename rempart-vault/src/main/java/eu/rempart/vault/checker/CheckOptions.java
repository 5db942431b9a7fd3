package eu.rempart.vault.checker;

/**
 * @param readData read and verify every pack (or the subset)
 * @param subset   null for all packs, {@code "N%"} for a random N percent, {@code "n/m"} for the
 *                 n-th of m groups (as restic's {@code --read-data-subset})
 */
public record CheckOptions(boolean readData, String subset) {
    public static CheckOptions structure() {
        return new CheckOptions(false, null);
    }
}
