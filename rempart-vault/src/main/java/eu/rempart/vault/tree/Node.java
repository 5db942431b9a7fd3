package eu.rempart.vault.tree;

import eu.rempart.vault.Id;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One entry of a tree: a file, directory, link or special file with its metadata, as restic
 * stores it. {@code name} and {@code linkTarget} are raw bytes (they need not be UTF-8);
 * {@code mode} is Go's FileMode; {@code content} is null for anything but files.
 */
public record Node(byte[] name, NodeType type, long mode, Instant mtime, Instant atime, Instant ctime,
        long uid, long gid, String user, String group, long inode, long deviceId, long size, long links,
        byte[] linkTarget, List<ExtendedAttribute> xattrs, long device, List<Id> content, Id subtree, String error) {

    public Node {
        name = name.clone();
        linkTarget = linkTarget == null ? null : linkTarget.clone();
        xattrs = xattrs == null ? List.of() : List.copyOf(xattrs);
        content = content == null ? null : List.copyOf(content);
        if (type == NodeType.FILE && content == null) {
            content = List.of(); // restic's checker rejects files without a content list
        }
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    @Override
    public byte[] linkTarget() {
        return linkTarget == null ? null : linkTarget.clone();
    }

    /** The name for display: UTF-8, invalid bytes replaced. */
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    /** Compares names as restic sorts them (bytewise). */
    public int compareName(byte[] other) {
        return Arrays.compareUnsigned(name, other);
    }

    public boolean nameEquals(byte[] other) {
        return Arrays.equals(name, other);
    }

    public int unixPerm() {
        return GoFileMode.unixPerm(mode);
    }

    public Node withSubtree(Id id) {
        return new Node(name, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, size, links,
                linkTarget, xattrs, device, content, id, error);
    }

    public Node withContent(List<Id> ids, long newSize) {
        return new Node(name, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, newSize, links,
                linkTarget, xattrs, device, ids, subtree, error);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Node n)) {
            return false;
        }
        return Arrays.equals(name, n.name) && type == n.type && mode == n.mode && eq(mtime, n.mtime)
                && eq(atime, n.atime) && eq(ctime, n.ctime) && uid == n.uid && gid == n.gid && eq(user, n.user)
                && eq(group, n.group) && inode == n.inode && deviceId == n.deviceId && size == n.size
                && links == n.links && Arrays.equals(linkTarget, n.linkTarget) && xattrs.equals(n.xattrs)
                && device == n.device && eq(content, n.content) && eq(subtree, n.subtree) && eq(error, n.error);
    }

    private static boolean eq(Object a, Object b) {
        return a == null ? b == null : a.equals(b);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + type.hashCode();
    }

    @Override
    public String toString() {
        return type.json() + " " + displayName();
    }
}
