package eu.rempart.vault;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte SHA-256 identifier: of a blob's plaintext, or of a stored file's content.
 * Immutable; the bytes never leak out uncopied.
 */
public final class Id implements Comparable<Id> {
    public static final int SIZE = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private Id(byte[] bytes) {
        this.bytes = bytes;
        // SHA-256 output is uniformly distributed: the first four bytes make a good hash code.
        this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    public static Id of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("an id has 32 bytes, not " + bytes.length);
        }
        return new Id(bytes.clone());
    }

    public static Id of(byte[] buf, int offset) {
        return new Id(Arrays.copyOfRange(buf, offset, offset + SIZE));
    }

    public static Id parse(String hex) {
        if (hex == null || hex.length() != 2 * SIZE) {
            throw new IllegalArgumentException("invalid id: " + hex);
        }
        try {
            return new Id(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid id: " + hex, e);
        }
    }

    /**
     * A stored file's name as an id, or null for any other name (a temporary file of an
     * interrupted upload), which restic skips when it lists a directory.
     */
    public static Id parseOrNull(String name) {
        return isFileName(name) ? parse(name) : null;
    }

    /**
     * Whether {@code name} is how restic and Rempart name a file they store: the id in 64
     * lower-case hex digits. ({@link #parse} also takes upper case, as typed by a person; a stored
     * file named so could not be found again under its id.)
     */
    public static boolean isFileName(String name) {
        if (name == null || name.length() != 2 * SIZE) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public static Id hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static Id hash(byte[] data, int offset, int length) {
        MessageDigest md = sha256();
        md.update(data, offset, length);
        return new Id(md.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Wraps a fresh digest result without copying. */
    public static Id fromDigest(MessageDigest md) {
        return new Id(md.digest());
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, SIZE);
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The 8-character prefix restic prints. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Id other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Id o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
