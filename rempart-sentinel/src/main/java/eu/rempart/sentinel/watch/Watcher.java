package eu.rempart.sentinel.watch;

import eu.rempart.sentinel.contain.Containment;
import eu.rempart.sentinel.detect.Alert;
import eu.rempart.sentinel.detect.ContentAnalyzer;
import eu.rempart.sentinel.detect.ContentProfile;
import eu.rempart.sentinel.detect.Detector;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows the watched trees in real time and hands every change to the {@link Detector}.
 *
 * <p>Threads, all named: the JDK's {@link WatchService} (inotify on Linux, ReadDirectoryChangesW on
 * Windows, so the same code runs there) feeds "sentinel-events"; on Linux as root, fanotify feeds
 * "sentinel-fanotify" with who wrote what; both put events on one unbounded queue read by the single
 * "sentinel-analysis" thread, which profiles files, asks the detector, and contains the processes at
 * once on an alert (a few milliseconds: a fast ransomware encrypts hundreds of files a second).
 * On Linux 5.17+ fanotify also reports each rename with both names on "sentinel-names", which
 * judges it itself (a rename needs no read; the shared lock is held for microseconds). Reporting
 * (JSON, commands, isolation) runs on "sentinel-report" so it never delays the next containment.
 * When nothing happens, all threads block: no polling, no CPU.
 */
public final class Watcher implements Closeable {
    /** inotify says "modified" at each write; wait this long after the last one before reading the file. */
    private static final long QUIET_NANOS = 30_000_000L;
    private static final long SELF = ProcessHandle.current().pid();

    /**
     * @param canaries place canary files in the roots and their direct sub-folders
     * @param fanotify use fanotify to learn who writes (Linux, root); false: find processes through
     *                 /proc at alert time only, as when not permitted
     * @param state    where the baseline is kept between runs (null: scan everything at each start)
     */
    public record Settings(List<Path> roots, boolean canaries, Containment.Mode contain, boolean fanotify, Path state) {
        public Settings {
            roots = List.copyOf(roots);
        }

        public Settings(List<Path> roots, boolean canaries, Containment.Mode contain) {
            this(roots, canaries, contain, true, null);
        }
    }

    /** An alert with what containment did about it. */
    public record Report(Alert alert, List<Containment.ProcessAction> processes) {
        public Report {
            processes = List.copyOf(processes);
        }
    }

    /** What the watcher tells its owner. Called on the reporting thread. */
    public interface Listener {
        void ready(int files, int canaries, boolean processAttribution, String attributionNote);

        void alert(Report report);

        void problem(String message);
    }

    private sealed interface Event permits Changed, Gone, Written, NewFolder, Renamed {
    }

    /** @param now analyse at once (a name that appeared, with fanotify reporting the writes) */
    private record Changed(Path file, boolean now) implements Event {
    }

    private record Gone(Path file) implements Event {
    }

    private record Written(Path file, long pid) implements Event {
    }

    private record NewFolder(Path dir) implements Event {
    }

    /** A rename as fanotify reports it, with both names and the renamer: judged without reading the file. */
    private record Renamed(Path from, Path to, long pid) implements Event {
    }


    private final Settings settings;
    private final Listener listener;
    private final WatchService watchService;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Set<Path> folders = new HashSet<>();
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Detector detector = new Detector(System::nanoTime);
    private final ContentAnalyzer analyzer = new ContentAnalyzer();
    /** Last writer of each file seen by fanotify (analysis thread only). */
    private final Map<Path, Long> writers = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Long> eldest) {
            return size() > 100_000;
        }
    };
    private final ExecutorService reporter = Executors.newSingleThreadExecutor(r -> thread(r, "sentinel-report"));
    private final List<Thread> threads = new ArrayList<>();
    /** When each process last wrote into (or renamed in) the watched folders. */
    private final Map<Long, Long> recentWriters = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Held while the detector is asked and while containing (the detector, {@link #contained} and
     * {@link #lastReport}): by the analysis thread, and by the names thread judging a rename itself.
     * Never held while reading a file.
     */
    private final java.util.concurrent.locks.ReentrantLock analysisLock = new java.util.concurrent.locks.ReentrantLock();
    /** Processes already suspended or killed. */
    private final Set<Long> contained = new HashSet<>();
    /** A contained attack's later evidence is not reported again for this long. */
    private static final long REPEAT_NANOS = 60_000_000_000L;
    private long lastReport = Long.MIN_VALUE / 2;
    private Fanotify fanotify;
    private Fanotify names;
    /** Who last renamed or deleted an entry of each name, filled by the names thread directly. */
    private final Map<String, Long> namers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The previous run's baseline, during the initial scan only. */
    private Map<Path, BaselineStore.Stored> stored = Map.of();
    private volatile boolean closed;
    private volatile boolean started;

    private Watcher(Settings settings, Listener listener) throws IOException {
        this.settings = settings;
        this.listener = listener;
        this.watchService = FileSystems.getDefault().newWatchService();
    }

    /**
     * Places canaries, builds the baseline (profiles every file: reads at most 32 KiB of each), starts
     * watching and returns; {@link Listener#ready} has been called when this returns.
     */
    public static Watcher start(Settings settings, Listener listener) throws IOException {
        Watcher w = new Watcher(settings, listener);
        try {
            w.begin();
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private void begin() throws IOException {
        List<Path> roots = new ArrayList<>();
        for (Path r : settings.roots()) {
            Path real = r.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IOException(r + ": not a folder");
            }
            roots.add(real);
        }
        List<Path> canaries = settings.canaries() ? Canaries.place(roots) : List.of();
        canaries.forEach(detector::addCanary);
        String[] why = {"disabled"};
        fanotify = settings.fanotify() ? Fanotify.open(why) : null;
        names = fanotify == null ? null : Fanotify.openNames();
        stored = BaselineStore.load(settings.state());
        for (Path root : roots) {
            registerTree(root, true);
        }
        stored = Map.of();
        saveBaseline();
        Thread events = thread(this::eventLoop, "sentinel-events");
        Thread analysis = thread(this::analysisLoop, "sentinel-analysis");
        threads.add(events);
        threads.add(analysis);
        if (fanotify != null) {
            threads.add(thread(() -> fanotify.loop(new Fanotify.Sink() {
                @Override
                public void write(Fanotify.Write w) {
                    queue.add(new Written(w.file(), w.pid()));
                }

                @Override
                public void overflow() {
                    report(() -> listener.problem("fanotify queue overflow"));
                }
            }), "sentinel-fanotify"));
        }
        if (names != null) {
            // Renames are judged on this thread (renamedNow): it runs real-time when allowed.
            threads.add(thread(() -> {
                Fanotify.realtimeThread();
                names.loop(new Fanotify.Sink() {
                    @Override
                    public void write(Fanotify.Write w) {
                    }

                    @Override
                    public void named(String name, long pid) {
                        if (pid != SELF) {
                            if (namers.size() > 10_000) {
                                namers.clear();
                            }
                            namers.put(name, pid);
                        }
                    }

                    @Override
                    public void renamed(Path from, Path to, long pid) {
                        if (pid != SELF) {
                            renamedNow(new Renamed(from, to, pid));
                        }
                    }

                    @Override
                    public void overflow() {
                        report(() -> listener.problem("fanotify queue overflow"));
                    }
                });
            }, "sentinel-names"));
        }
        warmUp();
        threads.forEach(Thread::start);
        started = true;
        int files = detector.baselineSize();
        boolean attribution = fanotify != null;
        String note = attribution ? (names != null ? "fanotify (writes, renames, deletions)" : "fanotify (writes)") : why[0];
        listener.ready(files, canaries.size(), attribution, note);
    }

    /**
     * Runs the detection and containment code on made-up profiles until the JIT has compiled it, so
     * the first real alert is not slowed down by class loading and interpretation (it took 15 ms
     * cold, during which a fast ransomware encrypts another ten files).
     */
    private static void warmUp() {
        long[] clock = {0};
        Detector d = new Detector(() -> clock[0]);
        byte[] low = new byte[ContentAnalyzer.MAX_BLOCKS];
        byte[] high = new byte[ContentAnalyzer.MAX_BLOCKS];
        java.util.Arrays.fill(low, (byte) (4 * ContentProfile.SCALE));
        java.util.Arrays.fill(high, (byte) (8 * ContentProfile.SCALE));
        ContentProfile doc = new ContentProfile(50_000, eu.rempart.sentinel.detect.FileKind.PDF, 130, low, 0, 1, null);
        ContentProfile enc = new ContentProfile(50_000, eu.rempart.sentinel.detect.FileKind.UNKNOWN, 235, high, 0xFF, 2, null);
        for (int i = 0; i < 3000; i++) {
            Path a = Path.of("/warm-up/" + (i % 50) + ".pdf");
            clock[0] += 1_000_000_000L;
            d.seed(a, doc);
            d.written(a, enc, -1);
            Path copy = Path.of("/warm-up/" + (i % 50) + ".pdf.x");
            d.written(copy, enc, -1);
            d.deleted(copy, -1);
            // a rename to a new extension: the name disappears, the same content appears
            Path b = Path.of("/warm-up/r" + (i % 50) + ".pdf");
            d.seed(b, doc);
            d.deleted(b, -1);
            d.written(Path.of("/warm-up/r" + (i % 50) + ".pdf.y" + (i % 7)), doc, -1);
            // the same reported by fanotify with both names
            Path c = Path.of("/warm-up/n" + (i % 50) + ".pdf");
            d.seed(c, doc);
            d.renamed(c, Path.of("/warm-up/n" + (i % 50) + ".pdf.z" + (i % 7)), -1);
        }
        Containment.prepare();
        family(SELF); // the first process description loads the user database: milliseconds
    }

    /** Registers a folder and everything under it; profiles the files (baseline) when {@code seed}. */
    private void registerTree(Path top, boolean seed) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!folders.add(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                keys.put(dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY), dir);
                for (Fanotify f : new Fanotify[] {fanotify, names}) {
                    if (f != null) {
                        try {
                            f.mark(dir);
                        } catch (IOException e) {
                            report(() -> listener.problem(e.getMessage()));
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    if (seed) {
                        try {
                            BaselineStore.Stored known = stored.get(file);
                            if (known != null && known.size() == attrs.size()
                                    && known.mtimeNanos() == mtimeNanos(attrs)) {
                                detector.seed(file, known.profile()); // unchanged since the last run: not read again
                                return FileVisitResult.CONTINUE;
                            }
                            detector.seed(file, analyzer.profile(file, true));
                        } catch (IOException e) {
                            // unreadable: it has no baseline, changes to it count as new files
                        }
                    } else {
                        queue.add(new Changed(file, false)); // a folder moved in or created with content
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static long mtimeNanos(BasicFileAttributes attrs) {
        return attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** Writes the baseline to the state file (at start, after the scan, and at close). */
    private void saveBaseline() {
        if (settings.state() == null) {
            return;
        }
        Map<Path, BaselineStore.Stored> out = new HashMap<>();
        detector.forEachKnown((file, profile) -> {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.size() == profile.size()) {
                    out.put(file, new BaselineStore.Stored(a.size(), mtimeNanos(a), profile));
                }
            } catch (IOException e) {
                // gone: not kept
            }
        });
        try {
            BaselineStore.save(settings.state(), out);
        } catch (IOException e) {
            report(() -> listener.problem("baseline not saved: " + e.getMessage()));
        }
    }

    private void eventLoop() {
        Fanotify.raiseThreadPriority();
        while (!closed) {
            WatchKey key;
            try {
                key = watchService.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir;
            synchronized (keys) {
                dir = keys.get(key);
            }
            for (WatchEvent<?> ev : key.pollEvents()) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                    report(() -> listener.problem("inotify queue overflow: some changes were not seen"));
                    continue;
                }
                if (dir == null) {
                    continue;
                }
                Path file = dir.resolve((Path) ev.context());
                if (ev.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                    queue.add(new Gone(file));
                } else if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE
                        && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    queue.add(new NewFolder(file));
                } else if (fanotify == null) {
                    queue.add(new Changed(file, false));
                } else if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                    // with fanotify, writes are analysed at close; a name appearing is a rename (or an
                    // empty new file, skipped): at once, renaming ransomware does a file every 0.1 ms
                    queue.add(new Changed(file, true));
                }
            }
            if (!key.reset()) {
                synchronized (keys) {
                    keys.remove(key);
                }
            }
        }
    }

    private void analysisLoop() {
        Fanotify.raiseThreadPriority();
        Map<Path, Long> pending = new LinkedHashMap<>();
        while (!closed) {
            Event e;
            try {
                long wait = pending.isEmpty() ? 1_000_000_000L
                        : Math.max(0, pending.values().iterator().next() - System.nanoTime());
                e = queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                return;
            }
            try {
                if (e instanceof Written w) {
                    if (w.pid() == SELF) {
                        continue; // our own canaries and baseline file
                    }
                    writers.put(w.file(), w.pid());
                    recentWriters.put(w.pid(), System.nanoTime());
                    pending.remove(w.file());
                    analyse(w.file(), w.pid(), false);
                } else if (e instanceof Renamed r) {
                    judge(() -> renamed(r));
                } else if (e instanceof Changed c) {
                    pending.remove(c.file());
                    if (c.now()) {
                        Long pid = writers.get(c.file());
                        analyse(c.file(), pid == null ? -1 : pid, true);
                    } else {
                        pending.put(c.file(), System.nanoTime() + QUIET_NANOS); // re-inserted last: keeps deadline order
                    }
                } else if (e instanceof Gone g) {
                    pending.remove(g.file());
                    if (folders.remove(g.file())) {
                        continue;
                    }
                    // inotify does not say who deleted; the file's last writer may be an innocent editor
                    judge(() -> detector.deleted(g.file(), -1));
                } else if (e instanceof NewFolder f) {
                    synchronized (keys) {
                        registerTree(f.dir(), false);
                    }
                }
                long now = System.nanoTime();
                for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                    var p = it.next();
                    if (p.getValue() > now) {
                        break;
                    }
                    it.remove();
                    Long pid = writers.get(p.getKey());
                    analyse(p.getKey(), pid == null ? -1 : pid, false);
                }
            } catch (IOException | RuntimeException ex) {
                report(() -> listener.problem(ex.toString()));
            }
        }
    }

    /**
     * Weighs one piece of evidence and contains at once on an alert, holding {@link #analysisLock}.
     * Files are read outside it, so a rename reported meanwhile is judged without waiting for a read.
     */
    private void judge(java.util.function.Supplier<Alert> evidence) {
        locked(() -> {
            act(evidence.get());
            return null;
        });
    }

    /** Asks the detector (or acts) holding {@link #analysisLock}. */
    private <T> T locked(java.util.function.Supplier<T> work) {
        analysisLock.lock();
        try {
            return work.get();
        } finally {
            analysisLock.unlock();
        }
    }

    /**
     * Judges a rename on the names thread: a renaming attack does a file every 0.1 to 0.2 ms, and
     * the analysis thread's queue holds reads of the files renamed before (the lock itself is held
     * for microseconds). Queued as any event only when the lock stays busy (an alert waiting for
     * names this thread has yet to read).
     */
    private void renamedNow(Renamed r) {
        boolean locked;
        try {
            locked = analysisLock.tryLock(2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (locked) {
            try {
                act(renamed(r));
            } finally {
                analysisLock.unlock();
            }
        } else {
            queue.add(r);
        }
    }

    /**
     * The baseline moves to the new name and the rename is weighed, without reading the file. A
     * rename over an existing file replaces that file's content: left to inotify's report. The new
     * name is still read when inotify reports it, so content changed before the rename is judged.
     */
    private Alert renamed(Renamed r) {
        recentWriters.put(r.pid(), System.nanoTime());
        return detector.renamed(r.from(), r.to(), r.pid());
    }

    /** @param skipEmpty ignore an empty file (just created: its content comes with its close) */
    private void analyse(Path file, long pid, boolean skipEmpty) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            if (detector.isCanary(file)) { // canaries are set before the threads start
                judge(() -> detector.deleted(file, pid)); // replaced by something else
            }
            return;
        }
        ContentProfile p;
        try {
            p = analyzer.profile(file, quick -> locked(() -> detector.wantsFuzzyHash(file, quick)));
        } catch (IOException e) {
            return; // gone again, or unreadable: the deletion event will follow
        }
        if (skipEmpty && p.size() == 0) {
            return;
        }
        judge(() -> detector.written(file, p, pid));
    }

    /** Contains at once on this thread, then reports on the other. Called holding {@link #analysisLock} once. */
    private void act(Alert alert) {
        if (alert == null) {
            return;
        }
        Set<Long> pids = new HashSet<>(alert.pids());
        // renames and deletions: fanotify's name events say who; theirs may trail inotify's by a few ms
        for (int wait = 0; pids.isEmpty() && names != null && wait < 500; wait++) {
            for (Path f : alert.files()) {
                Long pid = namers.get(f.getFileName().toString());
                if (pid != null) {
                    pids.add(pid);
                }
            }
            if (pids.isEmpty()) {
                // 0.1 ms steps, 50 ms at most: a renaming process does a file every 0.1 ms. The lock
                // is let go meanwhile: the names thread may be waiting for it with the very names
                // we need in its next events (and judge the renames itself)
                analysisLock.unlock();
                try {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                } finally {
                    analysisLock.lock();
                }
            }
        }
        if (pids.isEmpty()) {
            Set<Path> dirs = new HashSet<>();
            alert.files().forEach(f -> dirs.add(f.getParent()));
            pids.addAll(Containment.holders(alert.files(), dirs));
        }
        pids.removeAll(contained);
        long now = System.nanoTime();
        // the processes behind the alert first; looking for their siblings takes milliseconds
        List<Containment.ProcessAction> done = new ArrayList<>(Containment.contain(pids, settings.contain()));
        Set<Long> siblings = siblings(pids);
        siblings.removeAll(contained);
        done.addAll(Containment.contain(siblings, settings.contain()));
        if (done.isEmpty() && now - lastReport < REPEAT_NANOS) {
            // more of the same attack, already contained and reported: one alert, not one per file
            return;
        }
        lastReport = now;
        for (Containment.ProcessAction a : done) {
            if (!a.action().equals("failed")) {
                contained.add(a.pid());
            }
        }
        Report r = new Report(alert, done);
        report(() -> listener.alert(r));
    }

    /**
     * Processes that wrote into the watched folders in the last 5 seconds and share both a parent
     * and the executable with one behind the alert: ransomware that encrypts with several worker
     * processes at once is stopped whole at the first alert instead of one worker per alert. The
     * executable must match because on a desktop every program shares a parent (the session).
     */
    private Set<Long> siblings(Set<Long> pids) {
        Set<String> families = new HashSet<>();
        for (long pid : pids) {
            family(pid).ifPresent(families::add);
        }
        Set<Long> out = new HashSet<>();
        long now = System.nanoTime();
        recentWriters.entrySet().removeIf(e -> now - e.getValue() > 5_000_000_000L);
        for (long pid : recentWriters.keySet()) {
            if (!pids.contains(pid) && family(pid).map(families::contains).orElse(false)) {
                out.add(pid);
            }
        }
        return out;
    }

    /** "parent pid + executable" of a live process. */
    private static java.util.Optional<String> family(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.parent().flatMap(p -> h.info().command().map(c -> p.pid() + " " + c)));
    }

    private void report(Runnable r) {
        if (!reporter.isShutdown()) {
            reporter.execute(r);
        }
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        if (fanotify != null) {
            fanotify.close();
        }
        if (names != null) {
            names.close();
        }
        try {
            watchService.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fanotify != null) {
            fanotify.release();
        }
        if (names != null) {
            names.release();
        }
        if (started) {
            saveBaseline();
        }
        reporter.shutdown();
        try {
            reporter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
