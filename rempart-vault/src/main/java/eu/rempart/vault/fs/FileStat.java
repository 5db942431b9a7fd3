package eu.rempart.vault.fs;

import java.time.Instant;

/**
 * What lstat tells about a node, in restic's terms.
 *
 * @param mode  permission bits plus setuid/setgid/sticky (st_mode &amp; 07777)
 * @param device st_dev, the device holding the node
 * @param rdev  st_rdev, the device a device node stands for (0 otherwise)
 * @param links st_nlink
 */
public record FileStat(FileKind kind, int mode, long size,
        int uid, int gid, long inode, long device, long rdev, long links,
        Instant atime, Instant mtime, Instant ctime) {
}
