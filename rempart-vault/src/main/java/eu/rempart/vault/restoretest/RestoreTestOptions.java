package eu.rempart.vault.restoretest;

import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * How much a restore test restores, and where.
 *
 * @param files    how many files to restore, picked at random (non-empty ones first)
 * @param maxBytes budget of the sample: a picked file that would bring the total above it is
 *                 skipped for another one, so the scratch folder never holds more
 * @param scratch  a folder this run creates, restores into and deletes, whatever happens; if it
 *                 already exists it must be empty or left by an interrupted restore test
 * @param random   draws the sample (seed it for a reproducible test)
 */
public record RestoreTestOptions(int files, long maxBytes, Path scratch, RandomGenerator random) {
    public RestoreTestOptions {
        if (files < 1) {
            throw new IllegalArgumentException("files must be at least 1, not " + files);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, not " + maxBytes);
        }
        Objects.requireNonNull(scratch, "scratch");
        Objects.requireNonNull(random, "random");
    }

    /** The weekly test: 20 files, at most 1 GiB. */
    public static RestoreTestOptions defaults(Path scratch) {
        return new RestoreTestOptions(20, 1L << 30, scratch, new SplittableRandom());
    }
}
