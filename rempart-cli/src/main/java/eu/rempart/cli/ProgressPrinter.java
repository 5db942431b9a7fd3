package eu.rempart.cli;

import eu.rempart.vault.archiver.BackupProgress;
import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.restorer.RestoreProgress;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Backup or restore progress on one refreshed stderr line (only on a terminal): elapsed time, files
 * and bytes done against the totals of a scan that runs alongside (the backup's targets, the
 * restore's snapshot), and an ETA.
 */
class ProgressPrinter implements BackupProgress, RestoreProgress, AutoCloseable {
    private static final ProgressPrinter SILENT = new ProgressPrinter(null);

    private final Cli cli;
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile long scanFiles;
    private volatile long scanBytes;
    private volatile boolean scanDone;
    private volatile boolean stopped;
    private final long start = System.nanoTime();
    private Thread scanner;
    private Thread painter;

    private ProgressPrinter(Cli cli) {
        this.cli = cli;
    }

    /** For a backup: the scan walks its targets. */
    static ProgressPrinter start(Cli cli, List<Path> targets, Excludes excludes) {
        return start(cli, p -> p.scan(targets, excludes));
    }

    /** @param scan tells {@link #found} of everything the command will handle, on its own thread */
    static ProgressPrinter start(Cli cli, Consumer<ProgressPrinter> scan) {
        if (!cli.interactive()) {
            return SILENT;
        }
        ProgressPrinter p = new ProgressPrinter(cli);
        p.scanner = daemon("rempart-scan", () -> {
            try {
                scan.accept(p);
            } catch (RuntimeException ignored) {
                // the scan only feeds the ETA; the command reports real errors
            } finally {
                p.scanDone = true;
            }
        });
        p.painter = daemon("rempart-progress", p::paintLoop);
        return p;
    }

    /** One file (or other entry) the scan found; false once the command is over. */
    boolean found(long size) {
        scanFiles++;
        scanBytes += size;
        return !stopped;
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void scan(List<Path> targets, Excludes excludes) {
        for (Path t : targets) {
            try {
                Files.walkFileTree(t, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (stopped) {
                            return FileVisitResult.TERMINATE;
                        }
                        return excluded(dir, excludes) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        boolean go = true;
                        if (attrs.isRegularFile() && !excludes.tooLarge(attrs.size()) && !excluded(file, excludes)) {
                            go = found(attrs.size());
                        }
                        return go && !stopped ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException ignored) {
                // the scan only feeds the ETA; the backup reports real errors
            }
        }
    }

    static boolean excluded(Path abs, Excludes excludes) {
        if (excludes.isEmpty()) {
            return false;
        }
        List<String> comps = new ArrayList<>();
        for (Path c : abs) {
            comps.add(c.toString());
        }
        return excludes.excluded(comps);
    }

    private void paintLoop() {
        while (!stopped) {
            paint();
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void paint() {
        Messages m = cli.msg();
        double secs = (System.nanoTime() - start) / 1e9;
        String elapsed = Messages.duration(Duration.ofMillis((long) (secs * 1000)));
        long b = bytes.get();
        String line;
        if (scanDone && scanBytes > 0) {
            int pct = (int) Math.min(100, b * 100 / scanBytes);
            String eta = "?";
            if (b > 0 && secs > 1) {
                double rest = (scanBytes - b) / (b / secs);
                eta = Messages.duration(Duration.ofSeconds((long) Math.max(0, rest)));
            }
            line = m.get("progress.eta", elapsed, files.get(), scanFiles, m.bytes(b), m.bytes(scanBytes), pct, eta);
        } else {
            line = m.get("progress.scanning", elapsed, files.get(), scanFiles, m.bytes(b), m.bytes(scanBytes));
        }
        if (errors.get() > 0) {
            line += m.get("progress.errors", errors.get());
        }
        // \r plus erase-to-end keeps one line however long the previous one was
        cli.err.print("\r" + line + "\u001b[K");
        cli.err.flush();
    }

    @Override
    public void bytesDone(long n) {
        bytes.addAndGet(n);
    }

    @Override
    public void fileDone(String path) {
        files.incrementAndGet();
    }

    @Override
    public void error(String path, String message) {
        errors.incrementAndGet();
    }

    @Override
    public void close() {
        if (cli == null) {
            return;
        }
        stopped = true;
        painter.interrupt();
        try {
            painter.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cli.err.print("\r\u001b[K");
        cli.err.flush();
    }
}
