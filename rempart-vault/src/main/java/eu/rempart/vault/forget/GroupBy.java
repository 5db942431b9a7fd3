package eu.rempart.vault.forget;

import eu.rempart.vault.snapshot.Snapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which snapshot fields make the groups a policy is applied to separately (restic's
 * {@code --group-by}); none at all puts every snapshot in one group.
 */
public record GroupBy(boolean host, boolean paths, boolean tags) {
    /** restic's default, {@code host,paths}. */
    public static final GroupBy DEFAULT = new GroupBy(true, true, false);

    /**
     * Parses restic's syntax: a comma-separated list of {@code host}, {@code paths}, {@code tags}
     * (singulars accepted too); the empty string means no grouping. Like restic, spaces are not
     * trimmed.
     */
    public static GroupBy parse(String s) {
        boolean host = false;
        boolean paths = false;
        boolean tags = false;
        for (String option : s.split(",", -1)) {
            switch (option) {
                case "host", "hosts" -> host = true;
                case "path", "paths" -> paths = true;
                case "tag", "tags" -> tags = true;
                case "" -> {
                }
                default -> throw new IllegalArgumentException("unknown grouping option: '" + option + "'");
            }
        }
        return new GroupBy(host, paths, tags);
    }

    /**
     * What a group's snapshots share (restic's SnapshotGroupKey): {@code host} is "" and
     * {@code paths}/{@code tags} are null when not part of the grouping; both are sorted;
     * {@code tags} is also null for the group of untagged snapshots.
     */
    public record Key(String host, List<String> paths, List<String> tags) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::host)
                .thenComparing(k -> String.valueOf(k.paths())).thenComparing(k -> String.valueOf(k.tags()));
    }

    public Key keyOf(Snapshot s) {
        return new Key(host ? s.hostname() : "", paths ? s.paths().stream().sorted().toList() : null,
                tags && !s.tags().isEmpty() ? s.tags().stream().sorted().toList() : null);
    }

    /**
     * The snapshots by group, the groups sorted by key (where restic leaves the order to chance),
     * each group's snapshots in the order given.
     */
    public Map<Key, List<Snapshot>> group(List<Snapshot> snapshots) {
        Map<Key, List<Snapshot>> groups = new HashMap<>();
        for (Snapshot s : snapshots) {
            groups.computeIfAbsent(keyOf(s), k -> new ArrayList<>()).add(s);
        }
        List<Key> keys = new ArrayList<>(groups.keySet());
        keys.sort(Key.ORDER);
        Map<Key, List<Snapshot>> sorted = new LinkedHashMap<>();
        keys.forEach(k -> sorted.put(k, groups.get(k)));
        return sorted;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (host) {
            sb.append("host");
        }
        if (paths) {
            sb.append(sb.length() > 0 ? "," : "").append("paths");
        }
        if (tags) {
            sb.append(sb.length() > 0 ? "," : "").append("tags");
        }
        return sb.toString();
    }
}
