package eu.rempart.vault.fs;

/** The type of a file system node, as restic's node types name them. */
public enum FileKind {
    FILE, DIRECTORY, SYMLINK, BLOCK_DEVICE, CHAR_DEVICE, FIFO, SOCKET, OTHER;

    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    /** The kind encoded in the type bits of a Unix st_mode. */
    static FileKind fromMode(int stMode) {
        switch (stMode & S_IFMT) {
            case S_IFREG: return FILE;
            case S_IFDIR: return DIRECTORY;
            case S_IFLNK: return SYMLINK;
            case S_IFBLK: return BLOCK_DEVICE;
            case S_IFCHR: return CHAR_DEVICE;
            case S_IFIFO: return FIFO;
            case S_IFSOCK: return SOCKET;
            default: return OTHER;
        }
    }

    /** The st_mode type bits for mknod; -1 for kinds mknod cannot create. */
    int modeTypeBits() {
        switch (this) {
            case FILE: return S_IFREG;
            case BLOCK_DEVICE: return S_IFBLK;
            case CHAR_DEVICE: return S_IFCHR;
            case FIFO: return S_IFIFO;
            case SOCKET: return S_IFSOCK;
            default: return -1;
        }
    }
}
