package eu.rempart.vault;

/** The kinds of file a repository stores, with their directory in the default layout. */
public enum FileType {
    CONFIG("config"),
    KEY("keys"),
    SNAPSHOT("snapshots"),
    INDEX("index"),
    LOCK("locks"),
    PACK("data");

    private final String dir;

    FileType(String dir) {
        this.dir = dir;
    }

    public String dir() {
        return dir;
    }
}
