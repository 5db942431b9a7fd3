package eu.rempart.sentinel.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Weighs what happens to files and decides when it is an attack. It keeps the baseline (one
 * {@link ContentProfile} per file) and a short memory of recent evidence; each piece of evidence has a
 * weight that fades with a 10-minute half-life, and an alert is raised when the sum reaches 1.
 *
 * <p>The weights are set so that one established document destroyed the way ransomware destroys
 * them (header gone, content random) raises an alert, as do two headers gone, a copy-encrypt-delete
 * of two documents, three renames to one new extension, or a known ransom note in two folders — while what a practice does all day (saving
 * JPEG and DICOM images, rewriting ZIP-based office files, updating databases in place, writing
 * compressed or encrypted archives under new names, rotating logs into .gz files, browser caches)
 * produces no evidence at all: each of those keeps a recognisable header, or writes only new files,
 * or touches only files that were themselves written minutes ago.
 *
 * <p>Not thread-safe: one analysis thread feeds it.
 */
public final class Detector {
    static final int MAX_FILES = 50;
    /** Evidence halves every 10 minutes: a slow attacker (one file every 10 s or even every minute) still adds up. */
    private static final double HALF_LIFE_NANOS = 600e9;
    private static final long FORGET_NANOS = 3_600_000_000_000L;
    /** A file written less than this long ago is churn (caches, temporary files), not a document. */
    private static final long ESTABLISHED_NANOS = 600_000_000_000L;
    private static final long PAIRING_NANOS = 60_000_000_000L;
    /** After an alert, a single damaged file alerts again at once, to catch the next process. */
    private static final long ARMED_NANOS = 600_000_000_000L;
    private static final double YOUNG_FACTOR = 0;

    private static final Set<String> KNOWN_EXTENSIONS = loadList("ransom-extensions.txt");
    private static final List<PathMatcher> NOTE_NAMES = loadList("ransom-notes.txt").stream()
            .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p.replace("[", "\\[").replace("]", "\\]")))
            .toList();
    /** Files Windows and macOS drop in many folders by themselves. */
    private static final Set<String> SYSTEM_NAMES = Set.of("desktop.ini", ".ds_store", "thumbs.db", ".directory");

    private final LongSupplier clock;
    private final Map<Path, Entry> baseline = new HashMap<>();
    private final ArrayDeque<Evidence> evidence = new ArrayDeque<>();
    private final Map<Path, Recent> recentDeletes = new HashMap<>();
    private final Map<Path, Recent> recentRandomCreates = new HashMap<>();
    private final Map<String, Set<Path>> noteFolders = new HashMap<>();
    private final Map<String, Set<Path>> newExtensions = new HashMap<>();
    private final Set<String> extensionsReported = new HashSet<>();
    private final Set<Path> canaries = new HashSet<>();
    private long armedUntil = Long.MIN_VALUE;
    private long lastMassRewrite = Long.MIN_VALUE;

    /** @param nanoClock monotonic nanoseconds (System::nanoTime; tests pass their own) */
    public Detector(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    private record Entry(ContentProfile profile, long writtenAt) {
    }

    private record Recent(Path path, ContentProfile profile, long at, boolean established, long pid) {
    }

    private record Evidence(long at, Indicator indicator, double weight, Path path, long pid) {
    }

    /** Whether the name's last extension is one ransomware families are known to append. */
    public static boolean knownRansomExtension(String fileName) {
        String ext = appendedExtension(fileName.toLowerCase(Locale.ROOT));
        return ext != null && KNOWN_EXTENSIONS.contains(ext);
    }

    /** Whether the name is a known ransom-note name. */
    public static boolean ransomNoteName(String fileName) {
        Path lower = Path.of(fileName.toLowerCase(Locale.ROOT));
        return NOTE_NAMES.stream().anyMatch(m -> m.matches(lower));
    }

    /** Records a file as found by the initial scan: established, its state before anything happens. */
    public void seed(Path file, ContentProfile profile) {
        baseline.put(file, new Entry(profile, Long.MIN_VALUE));
    }

    /** Marks a file as a canary: any change to it is an alert. */
    public void addCanary(Path file) {
        canaries.add(file);
    }

    public boolean isCanary(Path file) {
        return canaries.contains(file);
    }

    public int baselineSize() {
        return baseline.size();
    }

    /** Every file of the baseline with its last known state. */
    public void forEachKnown(java.util.function.BiConsumer<Path, ContentProfile> action) {
        baseline.forEach((p, e) -> action.accept(p, e.profile));
    }

    /** The last known state of a file, or null. */
    public ContentProfile known(Path file) {
        Entry e = baseline.get(file);
        return e == null ? null : e.profile;
    }

    /**
     * Whether a fuzzy hash of the new version would help: the file had one, its header survived
     * and its entropy did not clearly rise (those are decided without it).
     */
    public boolean wantsFuzzyHash(Path file, ContentProfile quick) {
        Entry e = baseline.get(file);
        return e != null && e.profile.fuzzyHash() != null && quick.fuzzyHash() == null
                && !typeLost(e.profile, quick) && risenBlocks(e.profile, quick) > 0;
    }

    /** A file was written or appeared (created, or renamed to this name). Returns an alert or null. */
    public Alert written(Path file, ContentProfile after, long pid) {
        long now = clock.getAsLong();
        expire(now);
        if (canaries.contains(file)) {
            return canary(file, pid);
        }
        Entry previous = baseline.get(file);
        if (previous != null && previous.profile.sameSample(after)) {
            // read again unchanged (a renamed file reported by inotify after fanotify): keeps its age,
            // so encrypting it next still counts as damage to an established document
            return decide(now);
        }
        baseline.put(file, new Entry(after, now));
        if (previous != null) {
            rewritten(file, previous, after, pid, now);
        } else {
            appeared(file, after, pid, now);
        }
        return decide(now);
    }

    /** A file disappeared (deleted, or renamed away). Returns an alert or null. */
    public Alert deleted(Path file, long pid) {
        long now = clock.getAsLong();
        expire(now);
        if (canaries.contains(file)) {
            return canary(file, pid);
        }
        Entry previous = baseline.remove(file);
        if (previous == null) {
            return null;
        }
        boolean established = established(previous, now);
        recentDeletes.put(file, new Recent(file, previous.profile, now, established, pid));
        // copy-encrypt-delete: the random copy came first, now the original goes
        for (Iterator<Recent> it = recentRandomCreates.values().iterator(); it.hasNext(); ) {
            Recent copy = it.next();
            if (isDerivedName(copy.path, file) && established && previous.profile.kind().structured()) {
                add(now, Indicator.ENCRYPTED_COPY, 0.25, file, copy.pid >= 0 ? copy.pid : pid);
                it.remove();
            }
        }
        // a rename whose new name was seen first
        Recent renamed = findSameContent(recentCreatesUnchanged, previous.profile);
        if (renamed != null) {
            recentCreatesUnchanged.remove(renamed.path);
            renamedTo(file, renamed.path, established, renamed.pid, now);
        }
        return decide(now);
    }

    /**
     * A file renamed, as reported with both names at once (fanotify on Linux 5.17+): its baseline
     * moves to the new name without reading the file. No-op unless the old name is known and the new
     * one is not (a rename over an existing file replaces content and is judged by {@link #written}).
     */
    public Alert renamed(Path from, Path to, long pid) {
        long now = clock.getAsLong();
        expire(now);
        if (canaries.contains(from) || canaries.contains(to)) {
            return canary(canaries.contains(from) ? from : to, pid);
        }
        if (baseline.containsKey(to)) {
            return null;
        }
        Entry previous = baseline.remove(from);
        if (previous == null) {
            return null;
        }
        baseline.put(to, previous);
        renamedTo(from, to, established(previous, now), pid, now);
        return decide(now);
    }

    /** Files that appeared whose content matched nothing deleted yet (a rename seen in the other order). */
    private final Map<Path, Recent> recentCreatesUnchanged = new HashMap<>();

    private Alert canary(Path file, long pid) {
        long now = clock.getAsLong();
        add(now, Indicator.CANARY_TOUCHED, 1.0, file, pid);
        return decide(now);
    }

    private void rewritten(Path file, Entry previous, ContentProfile after, long pid, long now) {
        ContentProfile before = previous.profile;
        if (before.sameSample(after)) {
            return;
        }
        double factor = established(previous, now) ? 1.0 : YOUNG_FACTOR;
        boolean lost = typeLost(before, after);
        int risen = risenBlocks(before, after);
        boolean headRose = after.headBits() - before.headBits() >= 1.0;
        if (lost) {
            // An established document whose header vanished and whose bytes turned random is what
            // encryption does and what no program of a practice does: one is enough (a slow
            // attacker doing one file every 10 s must not get 10 s). Header lost alone counts half.
            boolean randomNow = risen > 0 || headRose || after.randomBlockCount() > before.randomBlockCount();
            add(now, Indicator.TYPE_LOST, (randomNow ? 0.7 : 0.55) * factor, file, pid);
            if (randomNow) {
                add(now, Indicator.ENTROPY_RISE, 0.3 * factor, file, pid);
            }
        } else if (risen > 0 && !before.kind().structured()) {
            // headerless data (or plain text the detector could not type) turned random
            add(now, Indicator.ENTROPY_RISE, 0.3 * factor, file, pid);
        } else if (risen >= 2 && after.kind() == before.kind()) {
            // header kept but the body turned random: encryption that skips the first bytes
            int distance = ContentAnalyzer.fuzzyDistance(before, after);
            add(now, Indicator.ENTROPY_RISE, 0.15 * factor, file, pid);
            if (distance > 200) {
                add(now, Indicator.DISSIMILAR, 0.1 * factor, file, pid);
            }
        }
    }

    private void appeared(Path file, ContentProfile after, long pid, long now) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        Recent same = recentDeletes.remove(file);
        if (same != null) {
            // deleted then written again under the same name (save via a temporary file): a rewrite
            rewritten(file, new Entry(same.profile, same.established ? Long.MIN_VALUE : same.at), after, pid, now);
            return;
        }
        Recent source = findSameContent(recentDeletes, after);
        if (source != null) {
            recentDeletes.remove(source.path);
            if (source.established) {
                renamedTo(source.path, file, true, pid, now);
                return;
            }
            // a temporary file renamed to its final name: judge the content under that name
        }
        if (after.size() > 0) {
            recentCreatesUnchanged.put(file, new Recent(file, after, now, false, pid));
        }
        String ext = appendedExtension(lower);
        if (ext != null && KNOWN_EXTENSIONS.contains(ext)) {
            add(now, Indicator.KNOWN_EXTENSION, 0.3, file, pid);
        }
        boolean randomLooking = !after.kind().structured() && after.size() > 0
                && (after.randomBlockCount() > 0 || after.headBits() > 7.0);
        if (randomLooking && !FileKind.expectedFor(name).contains(after.kind())) {
            // named after a document that exists or just disappeared: "report.docx" -> "report.docx.x7k2"
            Path original = originalOf(file);
            Entry live = original == null ? null : baseline.get(original);
            Recent gone = original == null ? null : recentDeletes.get(original);
            if (live != null && live.profile.kind().structured() && established(live, now)) {
                add(now, Indicator.ENCRYPTED_COPY, 0.4, file, pid);
                recentRandomCreates.put(file, new Recent(file, after, now, true, pid));
                countExtension(ext, file, now, pid);
            } else if (gone != null && gone.established && gone.profile.kind().structured()) {
                recentDeletes.remove(original);
                add(now, Indicator.ENCRYPTED_COPY, 0.65, file, pid);
                countExtension(ext, file, now, pid);
            }
        }
        if (ransomNoteName(name)) {
            add(now, Indicator.RANSOM_NOTE, 0.5, file, pid);
        }
        if ((after.kind() == FileKind.TEXT || lower.endsWith(".html") || lower.endsWith(".hta"))
                && after.size() < 65536 && !SYSTEM_NAMES.contains(lower) && file.getParent() != null) {
            String key = lower + '\0' + after.sampleHash();
            Set<Path> folders = noteFolders.computeIfAbsent(key, k -> new HashSet<>());
            folders.add(file.getParent());
            if (folders.size() == 3) {
                add(now, Indicator.NOTE_IN_FOLDERS, 0.6, file, pid);
            } else if (folders.size() > 3) {
                add(now, Indicator.NOTE_IN_FOLDERS, 0.1, file, pid);
            }
        }
    }

    private void renamedTo(Path from, Path to, boolean established, long pid, long now) {
        String ext = appendedExtension(to.getFileName().toString().toLowerCase(Locale.ROOT));
        String fromName = from.getFileName().toString();
        String toName = to.getFileName().toString();
        if (ext == null || !toName.startsWith(fromName + ".") || !established) {
            return; // an ordinary rename: "Nouveau document.docx" -> "Courrier Dupont.docx", or temp -> final
        }
        add(now, Indicator.RENAMED_EXTENSION, 0.2, to, pid);
        if (KNOWN_EXTENSIONS.contains(ext)) {
            add(now, Indicator.KNOWN_EXTENSION, 0.3, to, pid);
        }
        countExtension(ext, to, now, pid);
    }

    private void countExtension(String ext, Path file, long now, long pid) {
        if (ext == null) {
            return;
        }
        Set<Path> files = newExtensions.computeIfAbsent(ext, k -> new LinkedHashSet<>());
        files.add(file);
        if (files.size() >= 3 && extensionsReported.add(ext)) {
            add(now, Indicator.COMMON_EXTENSION, 0.6, file, pid);
        }
    }

    /** "a.docx.x7k2" -> "a.docx", "a.x7k2" -> "a": the name before the last extension. */
    private static Path originalOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? null : file.resolveSibling(name.substring(0, dot));
    }

    private static boolean isDerivedName(Path copy, Path original) {
        return copy.getParent() != null && copy.getParent().equals(original.getParent())
                && copy.getFileName().toString().startsWith(original.getFileName().toString() + ".");
    }

    /** The last extension of a name that has one, lower case; null otherwise. */
    private static String appendedExtension(String lowerName) {
        int dot = lowerName.lastIndexOf('.');
        return dot <= 0 || dot == lowerName.length() - 1 ? null : lowerName.substring(dot + 1);
    }

    private static Recent findSameContent(Map<Path, Recent> recent, ContentProfile profile) {
        if (profile.size() == 0) {
            return null;
        }
        for (Recent r : recent.values()) {
            if (r.profile.sameSample(profile)) {
                return r;
            }
        }
        return null;
    }

    static boolean typeLost(ContentProfile before, ContentProfile after) {
        return before.kind().structured() && after.kind() == FileKind.UNKNOWN;
    }

    /** Sampled blocks whose entropy rose by a bit or more, or that turned random, compared at the same offsets. */
    static int risenBlocks(ContentProfile before, ContentProfile after) {
        int n = Math.min(before.blocks(), after.blocks());
        int risen = 0;
        for (int i = 0; i < n; i++) {
            if (after.blockBits(i) - before.blockBits(i) >= 1.0
                    || (after.blockRandom(i) && !before.blockRandom(i) && before.blockBits(i) < 7.5)) {
                risen++;
            }
        }
        return risen;
    }

    private static boolean established(Entry e, long now) {
        return e.writtenAt == Long.MIN_VALUE || now - e.writtenAt >= ESTABLISHED_NANOS;
    }

    private void add(long now, Indicator indicator, double weight, Path file, long pid) {
        if (weight <= 0) {
            return;
        }
        evidence.addLast(new Evidence(now, indicator, weight, file, pid));
        if (evidence.size() > 100_000) {
            evidence.removeFirst();
        }
        massRewrite(now, pid, file);
    }

    /** Three or more damaged files in at least two folders within a minute. */
    private void massRewrite(long now, long pid, Path file) {
        if (now - lastMassRewrite < PAIRING_NANOS) {
            return;
        }
        Set<Path> files = new HashSet<>();
        Set<Path> folders = new HashSet<>();
        for (Iterator<Evidence> it = evidence.descendingIterator(); it.hasNext(); ) {
            Evidence e = it.next();
            if (now - e.at > PAIRING_NANOS) {
                break;
            }
            if (e.indicator == Indicator.TYPE_LOST || e.indicator == Indicator.ENCRYPTED_COPY
                    || (e.indicator == Indicator.ENTROPY_RISE && e.weight >= 0.15)) {
                files.add(e.path);
                folders.add(e.path.getParent());
            }
        }
        if (files.size() >= 3 && folders.size() >= 2) {
            lastMassRewrite = now;
            evidence.addLast(new Evidence(now, Indicator.MASS_REWRITE, 0.2, file, pid));
        }
    }

    private Alert decide(long now) {
        double score = 0;
        for (Evidence e : evidence) {
            score += e.weight * Math.pow(0.5, (now - e.at) / HALF_LIFE_NANOS);
        }
        double threshold = now < armedUntil ? 0.5 : 1.0;
        if (score < threshold - 1e-9) {
            return null;
        }
        Map<Indicator, Integer> counts = new EnumMap<>(Indicator.class);
        Set<Path> files = new LinkedHashSet<>();
        Set<Long> pids = new LinkedHashSet<>();
        for (Evidence e : evidence) {
            counts.merge(e.indicator, 1, Integer::sum);
            if (files.size() < MAX_FILES) {
                files.add(e.path);
            }
            if (e.pid >= 0) {
                pids.add(e.pid);
            }
        }
        evidence.clear();
        armedUntil = now + ARMED_NANOS;
        return new Alert(Instant.now(), Math.round(score * 100) / 100.0, counts, new ArrayList<>(files), pids);
    }

    private void expire(long now) {
        while (!evidence.isEmpty() && now - evidence.peekFirst().at > FORGET_NANOS) {
            evidence.removeFirst();
        }
        recentDeletes.values().removeIf(r -> now - r.at > PAIRING_NANOS);
        recentRandomCreates.values().removeIf(r -> now - r.at > PAIRING_NANOS);
        recentCreatesUnchanged.values().removeIf(r -> now - r.at > PAIRING_NANOS);
        if (noteFolders.size() > 10_000) {
            noteFolders.clear();
        }
        if (newExtensions.size() > 10_000) {
            newExtensions.clear();
            extensionsReported.clear();
        }
    }

    private static Set<String> loadList(String resource) {
        try (InputStream in = Detector.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            Set<String> out = new LinkedHashSet<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("# ") && !line.equals("#")) {
                    out.add(line.toLowerCase(Locale.ROOT));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
