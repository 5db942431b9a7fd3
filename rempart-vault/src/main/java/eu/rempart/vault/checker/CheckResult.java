package eu.rempart.vault.checker;

import java.util.List;

/**
 * The outcome of a check: {@code errors} make the repository unhealthy; {@code hints} are
 * harmless findings (e.g. packs no index references, left by an interrupted backup).
 */
public record CheckResult(List<Finding> errors, List<Finding> hints, long snapshots, long packs, long packsRead, long blobs) {
    public CheckResult {
        errors = List.copyOf(errors);
        hints = List.copyOf(hints);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
