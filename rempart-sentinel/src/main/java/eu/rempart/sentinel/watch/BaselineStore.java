package eu.rempart.sentinel.watch;

import eu.rempart.sentinel.detect.ContentProfile;
import eu.rempart.sentinel.detect.FileKind;
import eu.rempart.vault.fs.OwnerOnly;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The baseline on disk, so a restart re-reads only the files that changed meanwhile instead of every
 * file of the practice. About 60 bytes per file after compression; owner-only (file names are
 * patient names). A damaged or foreign file is ignored: the watcher simply scans again.
 */
final class BaselineStore {
    private static final int MAGIC = 0x52534231; // "RSB1"

    /** One file's profile and the size and mtime it had when profiled. */
    record Stored(long size, long mtimeNanos, ContentProfile profile) {
    }

    private BaselineStore() {
    }

    static Map<Path, Stored> load(Path file) {
        Map<Path, Stored> out = new HashMap<>();
        if (file == null || !Files.isRegularFile(file)) {
            return out;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file))))) {
            if (in.readInt() != MAGIC) {
                return out;
            }
            int n = in.readInt();
            FileKind[] kinds = FileKind.values();
            for (int i = 0; i < n; i++) {
                Path p = Path.of(new String(in.readNBytes(in.readUnsignedShort()), StandardCharsets.UTF_8));
                long size = in.readLong();
                long mtime = in.readLong();
                FileKind kind = kinds[in.readUnsignedByte()];
                int head = in.readUnsignedByte();
                byte[] blocks = in.readNBytes(in.readUnsignedByte());
                int random = in.readUnsignedByte();
                long hash = in.readLong();
                String fuzzy = in.readUTF();
                out.put(p, new Stored(size, mtime, new ContentProfile(size, kind, head, blocks, random, hash,
                        fuzzy.isEmpty() ? null : fuzzy)));
            }
        } catch (EOFException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            out.clear();
        } catch (IOException e) {
            out.clear();
        }
        return out;
    }

    /** Writes atomically (temporary file, then rename). */
    static void save(Path file, Map<Path, Stored> entries) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        OwnerOnly.createFile(tmp);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(tmp))))) {
            out.writeInt(MAGIC);
            out.writeInt(entries.size());
            for (Map.Entry<Path, Stored> e : entries.entrySet()) {
                byte[] name = e.getKey().toString().getBytes(StandardCharsets.UTF_8);
                ContentProfile p = e.getValue().profile();
                out.writeShort(name.length);
                out.write(name);
                out.writeLong(e.getValue().size());
                out.writeLong(e.getValue().mtimeNanos());
                out.writeByte(p.kind().ordinal());
                out.writeByte(p.headEntropy());
                out.writeByte(p.blocks());
                for (int i = 0; i < p.blocks(); i++) {
                    out.writeByte((int) Math.round(p.blockBits(i) * ContentProfile.SCALE));
                }
                out.writeByte(p.randomBlocks());
                out.writeLong(p.sampleHash());
                out.writeUTF(p.fuzzyHash() == null ? "" : p.fuzzyHash());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
