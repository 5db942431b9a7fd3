package eu.rempart.vault.forget;

import eu.rempart.vault.snapshot.Snapshot;

import java.util.List;

/**
 * The verdict on one group of snapshots. {@code host} is "" and {@code paths}/{@code tags} are
 * null when that field is not part of the grouping (as in restic's JSON); {@code paths} and
 * {@code tags} are sorted; {@code tags} is also null for the group of untagged snapshots.
 * {@code keep} and {@code remove} are newest first; {@code reasons} parallels {@code keep}.
 */
public record Group(String host, List<String> paths, List<String> tags, List<Snapshot> keep, List<Snapshot> remove,
        List<KeepReason> reasons) {
    public Group {
        keep = List.copyOf(keep);
        remove = List.copyOf(remove);
        reasons = List.copyOf(reasons);
    }
}
