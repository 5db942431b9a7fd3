package eu.rempart.vault.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.GoTime;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot file's content. {@code id} is the storage id of the file it was read from (null for
 * one not saved yet). {@code timeOffset} is the UTC offset its time was written with (restic
 * reads the wall clock of a snapshot, e.g. for {@code forget}'s daily buckets, in that offset), or
 * null for a snapshot made here and not read from a file: its time is then written, and read, in
 * this machine's time zone.
 */
public record Snapshot(Id id, Instant time, Id parent, Id tree, List<String> paths, String hostname, String username,
        long uid, long gid, List<String> excludes, List<String> tags, Id original, String programVersion,
        SnapshotSummary summary, ZoneOffset timeOffset) {
    static final ObjectMapper JSON = new ObjectMapper();

    public Snapshot {
        paths = paths == null ? List.of() : List.copyOf(paths);
        excludes = excludes == null ? List.of() : List.copyOf(excludes);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** A snapshot whose time is in this machine's time zone. */
    public Snapshot(Id id, Instant time, Id parent, Id tree, List<String> paths, String hostname, String username,
            long uid, long gid, List<String> excludes, List<String> tags, Id original, String programVersion,
            SnapshotSummary summary) {
        this(id, time, parent, tree, paths, hostname, username, uid, gid, excludes, tags, original, programVersion,
                summary, null);
    }

    public Snapshot withId(Id newId) {
        return new Snapshot(newId, time, parent, tree, paths, hostname, username, uid, gid, excludes, tags, original,
                programVersion, summary, timeOffset);
    }

    /** The first snapshot this one was made from (by copy, tag or rewrite): its {@code original}, or itself. */
    public Id origin() {
        return original != null ? original : id;
    }

    /**
     * The same snapshot with another tree and tags, to be saved under a new id: {@code original}
     * names {@link #origin()}, as restic's {@code tag} and {@code rewrite} do.
     */
    public Snapshot rewritten(Id newTree, List<String> newTags) {
        return new Snapshot(null, time, parent, newTree, paths, hostname, username, uid, gid, excludes, newTags,
                origin(), programVersion, summary, timeOffset);
    }

    public String shortId() {
        return id == null ? "" : id.shortHex();
    }

    public byte[] toJson() {
        try {
            return (JSON.writeValueAsString(toJsonNode(false)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VaultException("cannot encode snapshot", e);
        }
    }

    /** The snapshot as restic's {@code snapshots --json} shows it (with id and short_id). */
    public ObjectNode toJsonNode(boolean withIds) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", timeOffset != null ? GoTime.format(time, timeOffset) : GoTime.format(time));
        if (parent != null) {
            n.put("parent", parent.toHex());
        }
        n.put("tree", tree.toHex());
        ArrayNode ps = n.putArray("paths");
        paths.forEach(ps::add);
        putOpt(n, "hostname", hostname);
        putOpt(n, "username", username);
        if (uid != 0) {
            n.put("uid", uid);
        }
        if (gid != 0) {
            n.put("gid", gid);
        }
        if (!excludes.isEmpty()) {
            ArrayNode a = n.putArray("excludes");
            excludes.forEach(a::add);
        }
        if (!tags.isEmpty()) {
            ArrayNode a = n.putArray("tags");
            tags.forEach(a::add);
        }
        if (original != null) {
            n.put("original", original.toHex());
        }
        putOpt(n, "program_version", programVersion);
        if (summary != null) {
            n.set("summary", summaryJson(summary));
        }
        if (withIds && id != null) {
            n.put("id", id.toHex());
            n.put("short_id", id.shortHex());
        }
        return n;
    }

    public static ObjectNode summaryJson(SnapshotSummary s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("backup_start", GoTime.format(s.backupStart()));
        n.put("backup_end", GoTime.format(s.backupEnd()));
        n.put("files_new", s.filesNew());
        n.put("files_changed", s.filesChanged());
        n.put("files_unmodified", s.filesUnmodified());
        n.put("dirs_new", s.dirsNew());
        n.put("dirs_changed", s.dirsChanged());
        n.put("dirs_unmodified", s.dirsUnmodified());
        n.put("data_blobs", s.dataBlobs());
        n.put("tree_blobs", s.treeBlobs());
        n.put("data_added", s.dataAdded());
        n.put("data_added_packed", s.dataAddedPacked());
        n.put("total_files_processed", s.totalFilesProcessed());
        n.put("total_bytes_processed", s.totalBytesProcessed());
        n.put("rempart_bytes_read", s.bytesRead());
        ArrayNode errs = n.putArray("rempart_errors");
        for (SnapshotSummary.FileError e : s.errors()) {
            errs.addObject().put("path", e.path()).put("message", e.message());
        }
        return n;
    }

    private static void putOpt(ObjectNode n, String f, String v) {
        if (v != null && !v.isEmpty()) {
            n.put(f, v);
        }
    }

    public static Snapshot parse(Id id, byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject() || !n.hasNonNull("tree") || !n.hasNonNull("time")) {
                throw new VaultException("snapshot " + (id == null ? "" : id.shortHex()) + ": missing time or tree");
            }
            SnapshotSummary summary = null;
            JsonNode s = n.get("summary");
            if (s != null && s.isObject()) {
                List<SnapshotSummary.FileError> errs = new ArrayList<>();
                for (JsonNode e : s.path("rempart_errors")) {
                    errs.add(new SnapshotSummary.FileError(e.path("path").asText(), e.path("message").asText()));
                }
                summary = new SnapshotSummary(time(s, "backup_start"), time(s, "backup_end"),
                        s.path("files_new").asLong(), s.path("files_changed").asLong(), s.path("files_unmodified").asLong(),
                        s.path("dirs_new").asLong(), s.path("dirs_changed").asLong(), s.path("dirs_unmodified").asLong(),
                        s.path("data_blobs").asLong(), s.path("tree_blobs").asLong(), s.path("data_added").asLong(),
                        s.path("data_added_packed").asLong(), s.path("total_files_processed").asLong(),
                        s.path("total_bytes_processed").asLong(), s.path("rempart_bytes_read").asLong(), errs);
            }
            OffsetDateTime time = GoTime.parseWithOffset(n.get("time").asText());
            return new Snapshot(id, time.toInstant(), optId(n, "parent"), Id.parse(n.get("tree").asText()),
                    strings(n.get("paths")), n.path("hostname").asText(""), n.path("username").asText(""),
                    n.path("uid").asLong(), n.path("gid").asLong(), strings(n.get("excludes")), strings(n.get("tags")),
                    optId(n, "original"), n.path("program_version").asText(""), summary, time.getOffset());
        } catch (IOException | IllegalArgumentException e) {
            throw new VaultException("snapshot " + (id == null ? "" : id.shortHex()) + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    private static Instant time(JsonNode n, String f) {
        return n.hasNonNull(f) ? GoTime.parse(n.get(f).asText()) : GoTime.ZERO;
    }

    private static Id optId(JsonNode n, String f) {
        return n.hasNonNull(f) ? Id.parse(n.get(f).asText()) : null;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null && a.isArray()) {
            a.forEach(x -> out.add(x.asText()));
        }
        return out;
    }
}
