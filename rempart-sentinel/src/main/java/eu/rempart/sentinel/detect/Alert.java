package eu.rempart.sentinel.detect;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detector's conclusion: enough evidence that files are being destroyed.
 *
 * @param time       when the threshold was crossed
 * @param score      the summed, time-decayed evidence (≥ 1 raises an alert)
 * @param indicators how many pieces of each kind of evidence
 * @param files      the files behind the evidence, oldest first (at most {@value Detector#MAX_FILES})
 * @param pids       processes seen writing those files (empty when unknown)
 */
public record Alert(Instant time, double score, Map<Indicator, Integer> indicators, List<Path> files, Set<Long> pids) {
    public Alert {
        indicators = Map.copyOf(indicators);
        files = List.copyOf(files);
        pids = Set.copyOf(pids);
    }
}
