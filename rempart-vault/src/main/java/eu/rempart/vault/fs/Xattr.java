package eu.rempart.vault.fs;

import java.util.Arrays;
import java.util.Objects;

/** An extended attribute: its full name (with namespace, e.g. "user.x") and raw value. */
public record Xattr(String name, byte[] value) {
    public Xattr {
        Objects.requireNonNull(name, "name");
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xattr x && name.equals(x.name) && Arrays.equals(value, x.value);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Xattr[" + name + ", " + value.length + " bytes]";
    }
}
