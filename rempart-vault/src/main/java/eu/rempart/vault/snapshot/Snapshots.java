package eu.rempart.vault.snapshot;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Loading, finding and saving snapshots. */
public final class Snapshots {
    private Snapshots() {
    }

    /**
     * Every snapshot, oldest first, for what must see them all (prune, which would otherwise delete
     * the data of a snapshot it cannot read).
     *
     * @throws VaultException with {@link VaultException.Problem#SNAPSHOT_DAMAGED} if a snapshot file
     *                        cannot be read
     */
    public static List<Snapshot> loadAll(Repository repo) throws IOException {
        Listing l = list(repo);
        if (!l.unreadable().isEmpty()) {
            throw l.unreadable().get(0).problem();
        }
        return l.snapshots();
    }

    /**
     * The snapshots that can be read, oldest first, and the snapshot files that cannot: one damaged
     * file must not stop every later backup and restore. A failing store still fails the listing.
     */
    public static Listing list(Repository repo) throws IOException {
        List<Snapshot> out = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (Backend.FileInfo f : repo.backend().list(FileType.SNAPSHOT)) {
            Id id = Id.parse(f.name());
            try {
                out.add(Snapshot.parse(id, repo.loadUnpacked(FileType.SNAPSHOT, id)));
            } catch (VaultException e) {
                unreadable.add(new Unreadable(id, new VaultException(VaultException.Problem.SNAPSHOT_DAMAGED,
                        List.of(id.shortHex()), e.getMessage(), e)));
            }
        }
        out.sort(Comparator.comparing(Snapshot::time).thenComparing(s -> s.id().toHex()));
        return new Listing(out, unreadable);
    }

    /** A snapshot file that cannot be read, and why ({@link VaultException.Problem#SNAPSHOT_DAMAGED}). */
    public record Unreadable(Id id, VaultException problem) {
    }

    /** What {@link #list} found: the readable snapshots, oldest first, and the damaged files. */
    public record Listing(List<Snapshot> snapshots, List<Unreadable> unreadable) {
        public Listing {
            snapshots = List.copyOf(snapshots);
            unreadable = List.copyOf(unreadable);
        }

        /**
         * The parent of a new backup by restic's rule: the newest snapshot of the same host with the
         * same set of paths, or null.
         */
        public Snapshot parentFor(String host, List<String> paths) {
            // Never a snapshot tagged "suspect" (an attack's): compared with the last clean one, the
            // encrypted files still count as changed, are read and inspected again, and the next
            // snapshot is tagged suspect too instead of passing for clean.
            return newest(snapshots, filter(host, null, paths).and(s -> !s.tags().contains("suspect")));
        }

        /**
         * A snapshot by id, unique id prefix, or {@code latest} (the newest readable one matching the
         * filter). An id naming a damaged file throws its {@link VaultException.Problem#SNAPSHOT_DAMAGED}.
         */
        public Snapshot find(String ref, Predicate<Snapshot> filter) {
            if ("latest".equals(ref)) {
                Snapshot latest = newest(snapshots, filter);
                if (latest == null) {
                    throw new VaultException(VaultException.Problem.NO_SNAPSHOT, ref, "no snapshot found");
                }
                return latest;
            }
            String prefix = ref.toLowerCase(java.util.Locale.ROOT);
            if (!prefix.matches("[0-9a-f]{1,64}")) {
                throw new VaultException(VaultException.Problem.NO_SNAPSHOT, ref, "invalid snapshot id: " + ref);
            }
            Snapshot found = null;
            VaultException damaged = null;
            int matches = 0;
            for (Snapshot s : snapshots) {
                if (s.id().toHex().startsWith(prefix)) {
                    found = s;
                    matches++;
                }
            }
            for (Unreadable u : unreadable) {
                if (u.id().toHex().startsWith(prefix)) {
                    damaged = u.problem();
                    matches++;
                }
            }
            if (matches > 1) {
                throw new VaultException(VaultException.Problem.AMBIGUOUS_SNAPSHOT, ref, "snapshot id prefix " + ref + " is ambiguous");
            }
            if (damaged != null) {
                throw damaged;
            }
            if (found == null) {
                throw new VaultException(VaultException.Problem.NO_SNAPSHOT, ref, "no snapshot with id " + ref);
            }
            return found;
        }

        /** The damaged snapshot files whose id starts with {@code prefix}. */
        public List<Id> unreadableMatching(String prefix) {
            String p = prefix.toLowerCase(java.util.Locale.ROOT);
            return unreadable.stream().map(Unreadable::id).filter(id -> id.toHex().startsWith(p)).toList();
        }
    }

    public static Id save(Repository repo, Snapshot sn) throws IOException {
        return repo.saveUnpacked(FileType.SNAPSHOT, sn.toJson());
    }

    /** Filter on host, tags (all must match) and paths (the same set), like restic's flags. */
    public static Predicate<Snapshot> filter(String host, List<String> tags, List<String> paths) {
        return s -> (host == null || host.isEmpty() || host.equals(s.hostname()))
                && (tags == null || s.tags().containsAll(tags))
                && (paths == null || paths.isEmpty() || Set.copyOf(s.paths()).equals(Set.copyOf(paths)));
    }

    private static Snapshot newest(List<Snapshot> oldestFirst, Predicate<Snapshot> filter) {
        Snapshot latest = null;
        for (Snapshot s : oldestFirst) {
            if (filter.test(s)) {
                latest = s;
            }
        }
        return latest;
    }
}
