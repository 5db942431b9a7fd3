package eu.rempart.sentinel.recover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The folder receiving what recovery moves out of the way. The original absolute path is mirrored
 * below it (raw name bytes kept), so a file can be found and put back by hand; MANIFEST.json lists
 * original → quarantined paths. Entries are moved, never deleted: a rename on the same file
 * system, else a copy that is synced before the original is removed.
 */
final class Quarantine {
    static final String MANIFEST = "MANIFEST.json";

    private final Path root;
    private final List<RecoverReport.Quarantined> moved = new ArrayList<>();
    private final List<JsonNode> previous = new ArrayList<>();
    private boolean created;

    Quarantine(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Where {@code p} (absolute) goes, before any collision suffix. */
    Path target(Path p) {
        Path t = root;
        for (Path name : p) {
            t = FileNames.resolve(t, FileNames.nameBytes(name));
        }
        return t;
    }

    /** Moves {@code p} (and everything below it) into the quarantine; returns where it went. */
    Path move(Path p) throws IOException {
        ensureRoot();
        Path dst = unique(target(p));
        Files.createDirectories(dst.getParent());
        try {
            Files.move(p, dst, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            copyTree(p, dst);
            deleteTree(p); // only now: the copy is complete and synced
        }
        moved.add(new RecoverReport.Quarantined(Recovery.display(p), Recovery.display(dst)));
        return dst;
    }

    private void ensureRoot() throws IOException {
        if (created) {
            return;
        }
        Files.createDirectories(root);
        // Owner only: the folder holds copies of patient files and possibly the attacker's program.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Path manifest = root.resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            // An earlier run into the same folder: its entries stay listed.
            JsonNode old = new ObjectMapper().readTree(manifest.toFile()).path("entries");
            if (old.isArray()) {
                old.forEach(previous::add);
            }
        }
        created = true;
    }

    /** A second run into the same folder must not overwrite what the first one saved. */
    private static Path unique(Path dst) {
        Path d = dst;
        byte[] name = FileNames.nameBytes(dst);
        for (int i = 1; Files.exists(d, LinkOption.NOFOLLOW_LINKS); i++) {
            byte[] suffix = ("." + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] n = Arrays.copyOf(name, name.length + suffix.length);
            System.arraycopy(suffix, 0, n, name.length, suffix.length);
            d = FileNames.resolve(dst.getParent(), n);
        }
        return d;
    }

    /** Copy for a move across file systems: contents synced, attributes kept, links not followed. */
    static void copyTree(Path src, Path dst) throws IOException {
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dst);
            for (byte[] name : FileSystemAccess.listNames(src)) {
                copyTree(FileNames.resolve(src, name), FileNames.resolve(dst, name));
            }
            // Files.copy cannot copy a directory's attributes onto a non-empty one (and the JDK's
            // setTimes drops nanoseconds): set them as the restorer does.
            FileStat s = FileSystemAccess.lstat(src);
            FileSystemAccess.restoreMetadata(dst, FileKind.DIRECTORY, s.mode(), s.uid(), s.gid(), s.atime(), s.mtime());
            return;
        }
        Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        FileStat s = FileSystemAccess.lstat(src);
        if (s.kind() == FileKind.FILE || s.kind() == FileKind.SYMLINK) {
            // COPY_ATTRIBUTES keeps microseconds only: the quarantined copy keeps the exact times
            FileSystemAccess.restoreMetadata(dst, s.kind(), s.mode(), s.uid(), s.gid(), s.atime(), s.mtime());
        }
        if (s.kind() == FileKind.FILE) {
            try (FileChannel ch = FileChannel.open(dst, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            for (byte[] name : FileSystemAccess.listNames(p)) {
                deleteTree(FileNames.resolve(p, name));
            }
        }
        Files.delete(p);
    }

    List<RecoverReport.Quarantined> moved() {
        return List.copyOf(moved);
    }

    /** Writes MANIFEST.json (replacing it atomically), if anything was moved. */
    void writeManifest(String snapshotId, Instant since) throws IOException {
        if (!created) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("snapshot_id", snapshotId);
        n.put("since", since.toString());
        n.put("written", Instant.now().toString());
        ArrayNode a = n.putArray("entries");
        a.addAll(previous);
        for (RecoverReport.Quarantined q : moved) {
            a.addObject().put("original", q.path()).put("quarantined", q.quarantinePath());
        }
        Path tmp = root.resolve(MANIFEST + ".tmp");
        Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        Files.move(tmp, root.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
