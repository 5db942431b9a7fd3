package eu.rempart.vault.repair;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.BlobData;
import eu.rempart.vault.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Salvages what damaged packs still hold, then removes them (restic's {@code repair packs}): every
 * blob of such a pack that still decrypts to its id is stored again in a new pack, the index is
 * rewritten without the damaged packs, and they are deleted. A blob that does not decrypt is gone
 * from the repository; a backup of the same files with {@code --force} stores it again while the
 * files exist. The caller holds the exclusive lock.
 *
 * <p>Order, so that a run killed at any point loses nothing more: the salvaged blobs and their
 * index are written first, then the index without the damaged packs, then the packs are deleted.
 */
public final class PackRepair {
    /** What became of one damaged pack. */
    public record Outcome(int salvaged, List<PackedBlob> lost, String headerError) {
        public Outcome {
            lost = List.copyOf(lost);
        }
    }

    /** What the repair did, per pack. */
    public record Result(SortedMap<Id, Outcome> packs, IndexRepair.Result index) {
        public Result {
            packs = Collections.unmodifiableSortedMap(new TreeMap<>(packs));
        }
    }

    private PackRepair() {
    }

    /**
     * @throws VaultException if one of {@code packIds} is not in the repository (nothing is changed)
     */
    public static Result run(Repository repo, List<Id> packIds) throws IOException {
        Map<Id, Long> stored = new HashMap<>();
        for (Backend.FileInfo f : repo.backend().list(FileType.PACK)) {
            Id id = Id.parseOrNull(f.name());
            if (id != null) {
                stored.put(id, f.size());
            }
        }
        TreeSet<Id> damaged = new TreeSet<>(packIds);
        for (Id id : damaged) {
            if (!stored.containsKey(id)) {
                throw new VaultException("pack " + id.toHex() + " is not in the repository");
            }
        }
        repo.loadIndex();
        Map<Id, List<PackedBlob>> indexed = new HashMap<>();
        for (PackedBlob b : repo.index().all()) {
            if (damaged.contains(b.packId())) {
                indexed.computeIfAbsent(b.packId(), k -> new ArrayList<>()).add(b);
            }
        }

        Map<Id, Outcome> outcomes = new LinkedHashMap<>();
        for (Id id : damaged) {
            long size = stored.get(id);
            String headerError = null;
            List<PackedBlob> blobs;
            try {
                blobs = repo.listPack(id, size); // the header lists even what the index lacks
            } catch (VaultException e) {
                headerError = String.valueOf(e.getMessage());
                blobs = indexed.getOrDefault(id, List.of());
            }
            byte[] pack = repo.backend().load(FileType.PACK, id.toHex(), 0, Math.toIntExact(size));
            int salvaged = 0;
            List<PackedBlob> lost = new ArrayList<>();
            for (PackedBlob b : blobs) {
                BlobData d;
                try {
                    if (b.offset() + b.length() > pack.length) {
                        throw new VaultException("blob beyond the end of the pack");
                    }
                    d = repo.decodeBlobShared(b, pack, Math.toIntExact(b.offset()));
                } catch (VaultException e) {
                    lost.add(b);
                    continue;
                }
                repo.saveBlobAgain(b.type(), b.id(), d.array(), d.offset(), d.length());
                salvaged++;
            }
            outcomes.put(id, new Outcome(salvaged, lost, headerError));
        }
        repo.flush();

        IndexRepair.Result index = IndexRepair.run(repo, false, damaged, IndexRepair.Progress.NONE);
        for (Id id : damaged) {
            repo.backend().remove(FileType.PACK, id.toHex());
        }
        return new Result(new TreeMap<>(outcomes), index);
    }
}
