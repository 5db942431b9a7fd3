package eu.rempart.vault.restoretest;

import eu.rempart.vault.tree.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws the files to test while the snapshot's trees are walked, holding only the sample: two
 * reservoirs (Vitter's algorithm R), one of non-empty files, which are preferred, and one of empty
 * files for when there are too few. The non-empty reservoir keeps spares for the files that
 * do not fit in the byte budget.
 */
final class Sample {
    private static final int SPARES_PER_FILE = 2;

    private final int files;
    private final long maxBytes;
    private final RandomGenerator random;
    private final Reservoir nonEmpty;
    private final Reservoir empty;
    private int seen;

    Sample(int files, long maxBytes, RandomGenerator random) {
        this.files = files;
        this.maxBytes = maxBytes;
        this.random = random;
        this.nonEmpty = new Reservoir((int) Math.min((long) files * SPARES_PER_FILE, Integer.MAX_VALUE - 8));
        this.empty = new Reservoir(files);
    }

    /** Offers the file at {@code components} (copied only if it is kept). */
    void offer(List<byte[]> components, Node file) {
        if (seen < Integer.MAX_VALUE) {
            seen++;
        }
        (file.size() > 0 ? nonEmpty : empty).offer(components, file);
    }

    /** Regular files offered. */
    int seen() {
        return seen;
    }

    /** The files to test, in random order, within the count and the byte budget. */
    List<Candidate> chosen() {
        List<Candidate> out = new ArrayList<>();
        long bytes = 0;
        for (Candidate c : nonEmpty.shuffled()) {
            if (out.size() == files) {
                break;
            }
            if (c.node().size() <= maxBytes - bytes) {
                out.add(c);
                bytes += c.node().size();
            }
        }
        for (Candidate c : empty.shuffled()) {
            if (out.size() == files) {
                break;
            }
            out.add(c);
        }
        return out;
    }

    private final class Reservoir {
        private final int capacity;
        private final List<Candidate> items = new ArrayList<>();
        private long offered;

        Reservoir(int capacity) {
            this.capacity = capacity;
        }

        void offer(List<byte[]> components, Node file) {
            offered++;
            if (items.size() < capacity) {
                items.add(new Candidate(components, file));
                return;
            }
            long slot = random.nextLong(offered);
            if (slot < capacity) {
                items.set((int) slot, new Candidate(components, file));
            }
        }

        List<Candidate> shuffled() {
            List<Candidate> l = new ArrayList<>(items);
            for (int i = l.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Candidate t = l.get(i);
                l.set(i, l.get(j));
                l.set(j, t);
            }
            return l;
        }
    }
}
