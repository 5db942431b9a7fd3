package eu.rempart.vault.tree;

/** restic's node types, with their JSON names. */
public enum NodeType {
    FILE("file"),
    DIR("dir"),
    SYMLINK("symlink"),
    DEV("dev"),
    CHARDEV("chardev"),
    FIFO("fifo"),
    SOCKET("socket"),
    IRREGULAR("irregular");

    private final String json;

    NodeType(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    public static NodeType fromJson(String s) {
        for (NodeType t : values()) {
            if (t.json.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown node type: " + s);
    }
}
