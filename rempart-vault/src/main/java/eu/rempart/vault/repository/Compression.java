package eu.rempart.vault.repository;

/** restic's {@code --compression} modes. */
public enum Compression {
    /** Compress quickly; store a blob uncompressed when compression does not pay. */
    AUTO(3),
    /** Never compress blobs (metadata files are still compressed in format version 2). */
    OFF(0),
    /** Smallest output, slower. */
    MAX(15);

    final int level;

    Compression(int level) {
        this.level = level;
    }

    public static Compression parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> AUTO;
            case "off" -> OFF;
            case "max" -> MAX;
            default -> throw new IllegalArgumentException("invalid compression mode '" + s + "' (auto, off, max)");
        };
    }
}
