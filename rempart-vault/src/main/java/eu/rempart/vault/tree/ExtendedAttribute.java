package eu.rempart.vault.tree;

import java.util.Arrays;

/** An extended attribute as restic stores it: name and raw value. */
public record ExtendedAttribute(String name, byte[] value) {
    public ExtendedAttribute {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtendedAttribute x && x.name.equals(name) && Arrays.equals(x.value, value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name + "(" + value.length + " bytes)";
    }
}
