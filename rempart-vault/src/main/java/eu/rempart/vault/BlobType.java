package eu.rempart.vault;

/** The two kinds of blob a pack holds. */
public enum BlobType {
    DATA("data"),
    TREE("tree");

    private final String json;

    BlobType(String json) {
        this.json = json;
    }

    /** The name used in index files and restic's output. */
    public String json() {
        return json;
    }

    public static BlobType fromJson(String s) {
        return switch (s) {
            case "data" -> DATA;
            case "tree" -> TREE;
            default -> throw new IllegalArgumentException("unknown blob type: " + s);
        };
    }
}
