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

    /** All snapshots, oldest first. A damaged snapshot file is reported, not skipped silently. */
    public static List<Snapshot> loadAll(Repository repo) throws IOException {
        List<Snapshot> out = new ArrayList<>();
        for (Backend.FileInfo f : repo.backend().list(FileType.SNAPSHOT)) {
            Id id = Id.parse(f.name());
            out.add(Snapshot.parse(id, repo.loadUnpacked(FileType.SNAPSHOT, id)));
        }
        out.sort(Comparator.comparing(Snapshot::time).thenComparing(s -> s.id().toHex()));
        return out;
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

    /**
     * The parent of a new backup by restic's rule: the newest snapshot of the same host with the
     * same set of paths, or null.
     */
    public static Snapshot parentFor(Repository repo, String host, List<String> paths) throws IOException {
        // Never a snapshot tagged "suspect" (an attack's): compared with the last clean one, the
        // encrypted files still count as changed, are read and inspected again, and the next
        // snapshot is tagged suspect too instead of passing for clean.
        return newest(loadAll(repo), filter(host, null, paths).and(s -> !s.tags().contains("suspect")));
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

    /**
     * Finds a snapshot by id, unique id prefix, or {@code latest} (the newest matching the filter).
     */
    public static Snapshot find(Repository repo, String ref, Predicate<Snapshot> filter) throws IOException {
        List<Snapshot> all = loadAll(repo);
        if ("latest".equals(ref)) {
            Snapshot latest = newest(all, filter);
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
        for (Snapshot s : all) {
            if (s.id().toHex().startsWith(prefix)) {
                if (found != null) {
                    throw new VaultException(VaultException.Problem.AMBIGUOUS_SNAPSHOT, ref, "snapshot id prefix " + ref + " is ambiguous");
                }
                found = s;
            }
        }
        if (found == null) {
            throw new VaultException(VaultException.Problem.NO_SNAPSHOT, ref, "no snapshot with id " + ref);
        }
        return found;
    }
}
