package eu.rempart.vault.restoretest;

import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.tree.Node;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

/** A regular file of the snapshot: its path as raw name components, and its node. */
record Candidate(List<byte[]> components, Node node) {
    Candidate {
        components = List.copyOf(components);
    }

    /** The path in the snapshot for reports: absolute, UTF-8 with invalid bytes as \xNN. */
    String display() {
        return display(components);
    }

    static String display(List<byte[]> components) {
        if (components.isEmpty()) {
            return "/";
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] c : components) {
            b.write('/');
            b.writeBytes(c);
        }
        return FileNames.display(b.toByteArray());
    }

    /** Where the file lies below {@code root}: the snapshot's absolute path, byte for byte. */
    Path under(Path root) {
        Path p = root;
        for (byte[] c : components) {
            p = FileNames.resolve(p, c);
        }
        return p;
    }
}
