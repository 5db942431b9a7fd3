package eu.rempart.sentinel.recover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * What a recovery did (or, in a dry run, would do). Paths are shown as UTF-8 with invalid bytes
 * as \xNN.
 *
 * @param restored      snapshot entries written back (files, links, recreated directories)
 * @param quarantined   live entries moved away, damaged versions and unexplained new files alike
 * @param notRestorable entries with no version before {@code since}: they were quarantined and
 *                      nothing could be put in their place
 * @param leftAlone     entries absent from the snapshot but unchanged since {@code since}: kept where
 *                      they are (excluded from backups, or created between the snapshot and {@code since})
 * @param unchanged     snapshot entries found intact and not touched
 */
public record RecoverReport(String snapshotId, Instant snapshotTime, Instant since, boolean dryRun, String quarantine,
        List<String> restored, List<Quarantined> quarantined, List<NotRestorable> notRestorable,
        List<String> leftAlone, long unchanged, List<PathError> errors) {

    /** No version before the given time exists for this entry. */
    public static final String NO_EARLIER_VERSION = "no_version_before_since";

    public record Quarantined(String path, String quarantinePath) {
    }

    public record NotRestorable(String path, String reason) {
    }

    public record PathError(String path, String message) {
    }

    public RecoverReport {
        restored = List.copyOf(restored);
        quarantined = List.copyOf(quarantined);
        notRestorable = List.copyOf(notRestorable);
        leftAlone = List.copyOf(leftAlone);
        errors = List.copyOf(errors);
    }

    /** Everything in scope is as it was before {@code since}: nothing unrestorable, no error. */
    public boolean complete() {
        return notRestorable.isEmpty() && errors.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("message_type", "recover");
        n.put("snapshot_id", snapshotId);
        n.put("snapshot_time", snapshotTime.toString());
        n.put("since", since.toString());
        n.put("dry_run", dryRun);
        n.put("quarantine", quarantine);
        n.put("restored_count", restored.size());
        n.put("quarantined_count", quarantined.size());
        n.put("not_restorable_count", notRestorable.size());
        n.put("left_alone_count", leftAlone.size());
        n.put("unchanged_count", unchanged);
        n.put("error_count", errors.size());
        ArrayNode a = n.putArray("restored");
        restored.forEach(a::add);
        a = n.putArray("quarantined");
        for (Quarantined q : quarantined) {
            a.addObject().put("path", q.path()).put("quarantine_path", q.quarantinePath());
        }
        a = n.putArray("not_restorable");
        for (NotRestorable r : notRestorable) {
            a.addObject().put("path", r.path()).put("reason", r.reason());
        }
        a = n.putArray("left_alone");
        leftAlone.forEach(a::add);
        a = n.putArray("errors");
        for (PathError e : errors) {
            a.addObject().put("path", e.path()).put("message", e.message());
        }
        return n;
    }
}
