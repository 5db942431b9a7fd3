package eu.rempart.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux POSIX ACL as its {@code system.posix_acl_access} or {@code _default} extended attribute
 * stores it (a little-endian version, then tag, permissions and id per entry), put into the text a
 * tar's {@code SCHILY.acl.*} record holds, as restic's {@code dump} writes it: one
 * {@code user::rw-}, {@code user:1000:r--}… line per entry.
 */
final class PosixAcl {
    private PosixAcl() {
    }

    /** The entries as text, or "" if the value is too short to hold a version. */
    static String text(byte[] xattr) {
        ByteBuffer b = ByteBuffer.wrap(xattr).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 4) {
            return "";
        }
        b.getInt(); // version
        StringBuilder out = new StringBuilder();
        while (b.remaining() >= 8) {
            int tag = Short.toUnsignedInt(b.getShort());
            int perm = Short.toUnsignedInt(b.getShort());
            long id = Integer.toUnsignedLong(b.getInt());
            out.append(switch (tag) {
                case 0x01 -> "user::";
                case 0x02 -> "user:" + id + ":";
                case 0x04 -> "group::";
                case 0x08 -> "group:" + id + ":";
                case 0x10 -> "mask::";
                case 0x20 -> "other::";
                default -> "?:";
            });
            out.append((perm & 4) != 0 ? 'r' : '-').append((perm & 2) != 0 ? 'w' : '-')
                    .append((perm & 1) != 0 ? 'x' : '-').append('\n');
        }
        return out.toString();
    }
}
