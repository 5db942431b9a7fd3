package eu.rempart.vault.tree;

/**
 * Go's {@code os.FileMode}, which restic stores as a node's mode: permission bits plus Go's own
 * type and special bits (not the Unix {@code st_mode} layout).
 */
public final class GoFileMode {
    static final long DIR = 1L << 31;
    static final long SYMLINK = 1L << 27;
    static final long DEVICE = 1L << 26;
    static final long NAMED_PIPE = 1L << 25;
    static final long SOCKET = 1L << 24;
    static final long SETUID = 1L << 23;
    static final long SETGID = 1L << 22;
    static final long CHAR_DEVICE = 1L << 21;
    static final long STICKY = 1L << 20;
    static final long IRREGULAR = 1L << 19;

    private GoFileMode() {
    }

    /** Go's mode for a node type and Unix permission bits ({@code st_mode & 07777}). */
    public static long of(NodeType type, int unixPerm) {
        long m = unixPerm & 0777;
        if ((unixPerm & 04000) != 0) {
            m |= SETUID;
        }
        if ((unixPerm & 02000) != 0) {
            m |= SETGID;
        }
        if ((unixPerm & 01000) != 0) {
            m |= STICKY;
        }
        m |= switch (type) {
            case DIR -> DIR;
            case SYMLINK -> SYMLINK;
            case DEV -> DEVICE;
            case CHARDEV -> DEVICE | CHAR_DEVICE;
            case FIFO -> NAMED_PIPE;
            case SOCKET -> SOCKET;
            case IRREGULAR -> IRREGULAR;
            case FILE -> 0;
        };
        return m;
    }

    /** Unix permission bits ({@code 07777}) of a Go mode. */
    public static int unixPerm(long goMode) {
        int p = (int) (goMode & 0777);
        if ((goMode & SETUID) != 0) {
            p |= 04000;
        }
        if ((goMode & SETGID) != 0) {
            p |= 02000;
        }
        if ((goMode & STICKY) != 0) {
            p |= 01000;
        }
        return p;
    }

    /**
     * Go's {@code FileMode.String()}, which restic prints as a node's permissions: a letter for each
     * type and special bit set, in Go's order ("dalTLDpSugct?"), or "-" for none, then rwxrwxrwx.
     */
    public static String toString(long goMode) {
        final String letters = "dalTLDpSugct?";
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < letters.length(); i++) {
            if ((goMode & (1L << (31 - i))) != 0) {
                sb.append(letters.charAt(i));
            }
        }
        if (sb.length() == 0) {
            sb.append('-');
        }
        final String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((goMode & (1L << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
