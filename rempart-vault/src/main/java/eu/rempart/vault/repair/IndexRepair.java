package eu.rempart.vault.repair;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.index.IndexFile;
import eu.rempart.vault.pack.PackHeader;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rebuilds the index from the packs the store holds (restic's {@code repair index}, formerly
 * {@code rebuild-index}): after index files were lost or damaged, or packs were removed by hand.
 *
 * <p>A pack the current index lists with exactly its stored size keeps those entries; any other
 * pack (or every one, with {@code readAllPacks}) has its header read. A pack whose header does not
 * decrypt is left out of the new index but left in the store: its blobs count as missing, which a
 * backup of the same files with {@code --force} stores again, and a later prune removes it. The new
 * index is written before the old index files are deleted, so a run killed at any point leaves a
 * repository whose index covers at least what the old one did; a file that cannot be read at all
 * (an I/O error, a store that does not answer) ends the repair before anything is written. The
 * caller holds the exclusive lock.
 */
public final class IndexRepair {
    /** What the repair did. */
    public record Result(int packs, long blobs, int packsRead, SortedMap<Id, String> unreadable,
            int indexFilesWritten, int indexFilesRemoved, SortedMap<Id, String> damagedIndexFiles) {
        public Result {
            unreadable = Collections.unmodifiableSortedMap(new TreeMap<>(unreadable));
            damagedIndexFiles = Collections.unmodifiableSortedMap(new TreeMap<>(damagedIndexFiles));
        }
    }

    /** Progress of a repair; called from its threads. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        /** {@code total} pack headers are about to be read. */
        default void readingPacks(long total) {
        }

        /** One more pack header has been read (or found unreadable). */
        default void packRead() {
        }
    }

    private IndexRepair() {
    }

    public static Result run(Repository repo, boolean readAllPacks, Progress progress) throws IOException {
        return run(repo, readAllPacks, Set.of(), progress);
    }

    /**
     * As {@link #run(Repository, boolean, Progress)}, leaving {@code exclude} out of the new index
     * although the store holds them (packs about to be deleted).
     */
    static Result run(Repository repo, boolean readAllPacks, Set<Id> exclude, Progress progress) throws IOException {
        List<Id> oldIndexFiles = new ArrayList<>();
        Map<Id, String> damagedIndexFiles = new ConcurrentHashMap<>();
        Map<Id, IndexFile.Content> contents = new ConcurrentHashMap<>();
        List<Backend.FileInfo> indexFiles = repo.backend().list(FileType.INDEX);
        for (Backend.FileInfo f : indexFiles) {
            Id id = Id.parseOrNull(f.name());
            if (id != null) {
                oldIndexFiles.add(id);
            }
        }
        if (!readAllPacks) {
            repo.forEachFile("rempart-repair", oldIndexFiles, id -> {
                try {
                    contents.put(id, IndexFile.decode(repo.loadUnpacked(FileType.INDEX, id), "index " + id.shortHex()));
                } catch (VaultException e) { // damaged; a failing read (store gone) ends the repair first
                    damagedIndexFiles.put(id, String.valueOf(e.getMessage()));
                }
            });
        }
        // Each pack's entries from the first index file (in name order) listing it, as the other commands read them.
        Map<Id, List<PackedBlob>> indexed = IndexFile.firstListings(contents);

        Map<Id, List<PackedBlob>> packs = new ConcurrentHashMap<>();
        List<Backend.FileInfo> toRead = new ArrayList<>();
        for (Backend.FileInfo f : repo.backend().list(FileType.PACK)) {
            Id id = Id.parseOrNull(f.name());
            if (id == null || exclude.contains(id)) {
                continue;
            }
            List<PackedBlob> known = indexed.get(id);
            if (known != null && PackHeader.packSize(known) == f.size()) {
                packs.put(id, known);
            } else {
                toRead.add(f);
            }
        }
        progress.readingPacks(toRead.size());
        Map<Id, String> unreadable = new ConcurrentHashMap<>();
        repo.forEachFile("rempart-repair", toRead, f -> {
            Id id = Id.parse(f.name());
            try {
                packs.put(id, repo.listPack(id, f.size()));
            } catch (VaultException e) {
                // Damaged. A pack that cannot be read at all (store unreachable, I/O error) ends the
                // repair before anything is written: it must not vanish from the index.
                unreadable.put(id, String.valueOf(e.getMessage()));
            }
            progress.packRead();
        });

        SortedMap<Id, List<PackedBlob>> sorted = new TreeMap<>(packs);
        long blobs = 0;
        for (List<PackedBlob> b : sorted.values()) {
            blobs += b.size();
        }
        int written = repo.saveIndex(new LinkedHashMap<>(sorted), oldIndexFiles);
        repo.forEachFile("rempart-repair", oldIndexFiles, id -> repo.backend().remove(FileType.INDEX, id.toHex()));
        return new Result(sorted.size(), blobs, toRead.size(), new TreeMap<>(unreadable), written, oldIndexFiles.size(),
                new TreeMap<>(damagedIndexFiles));
    }
}
