package eu.rempart.vault.index;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.pack.PackedBlob;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All blobs known from the repository's index files plus those packed by this process.
 * Thread-safe. One entry per (id, type); a blob stored in several packs keeps its first location
 * and the others are remembered only as pack membership (for check and prune).
 */
public final class MasterIndex {
    private final Map<Id, PackedBlob> data = new ConcurrentHashMap<>();
    private final Map<Id, PackedBlob> trees = new ConcurrentHashMap<>();
    /** Every pack, with where its last known blob ends (its header follows). */
    private final Map<Id, Long> packs = new ConcurrentHashMap<>();
    private final Set<Id> indexFiles = ConcurrentHashMap.newKeySet();

    private Map<Id, PackedBlob> map(BlobType type) {
        return type == BlobType.DATA ? data : trees;
    }

    public void add(PackedBlob b) {
        map(b.type()).putIfAbsent(b.id(), b);
        packs.merge(b.packId(), b.offset() + b.length(), Math::max);
    }

    public void addAll(Collection<PackedBlob> blobs) {
        for (PackedBlob b : blobs) {
            add(b);
        }
    }

    public void addIndexFile(Id indexId, IndexFile.Content content) {
        indexFiles.add(indexId);
        for (List<PackedBlob> blobs : content.packs().values()) {
            addAll(blobs);
        }
    }

    public PackedBlob lookup(BlobType type, Id id) {
        return map(type).get(id);
    }

    public boolean has(BlobType type, Id id) {
        return map(type).containsKey(id);
    }

    public int count(BlobType type) {
        return map(type).size();
    }

    public Set<Id> packs() {
        return new HashSet<>(packs.keySet());
    }

    /** Where the blobs of a pack end as far as the index knows (-1: unknown pack). */
    public long packDataEnd(Id pack) {
        Long end = packs.get(pack);
        return end == null ? -1 : end;
    }

    public Set<Id> indexFiles() {
        return new HashSet<>(indexFiles);
    }

    public List<PackedBlob> all() {
        List<PackedBlob> out = new ArrayList<>(data.size() + trees.size());
        out.addAll(data.values());
        out.addAll(trees.values());
        return out;
    }
}
