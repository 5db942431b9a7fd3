package eu.rempart.sentinel.backup;

import eu.rempart.sentinel.detect.ContentAnalyzer;
import eu.rempart.sentinel.detect.ContentProfile;
import eu.rempart.sentinel.detect.Detector;
import eu.rempart.sentinel.detect.FileKind;
import eu.rempart.vault.archiver.ContentInspector;
import eu.rempart.vault.forget.Forget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backup-time detection: the content indicators of the watcher, computed on the bytes the backup
 * reads anyway (no second read). A backup only reads new and changed files, so what it sees is
 * exactly what changed since the last one; when enough of it is documents whose bytes no longer
 * match their format (a ".pdf" of random bytes), encrypted copies ("x.docx.k3x9q") or ransom
 * notes, the snapshot is tagged {@value Forget#SUSPECT_TAG}: retention then keeps it out of every
 * rule, so the clean snapshots before it are never pushed out by it.
 */
public final class BackupInspector implements ContentInspector {
    /** Why a file looked like an attack's output. */
    public enum Reason { DOCUMENT_ENCRYPTED, ENCRYPTED_COPY, KNOWN_EXTENSION, RANSOM_NOTE }

    public record Finding(Path file, Reason reason) {
    }

    /**
     * @param suspect  the snapshot is tagged suspect
     * @param inspected new and changed files read
     * @param counts   findings per reason
     * @param examples the first findings (at most 20)
     */
    public record Verdict(boolean suspect, long inspected, Map<Reason, Integer> counts, List<Finding> examples) {
        public Verdict {
            counts = Map.copyOf(counts);
            examples = List.copyOf(examples);
        }
    }

    /**
     * An inspector for a backup with this parent, or null for a first backup: with no earlier
     * backup nothing "changed", the folder holds whatever the practice has (archives, encrypted
     * exports), and judging all of it would tag first backups for what is normal there.
     */
    public static BackupInspector forParent(eu.rempart.vault.snapshot.Snapshot parent) {
        return parent == null ? null : new BackupInspector();
    }

    private static final ThreadLocal<ContentAnalyzer> ANALYZERS = ThreadLocal.withInitial(ContentAnalyzer::new);
    private static final ThreadLocal<byte[]> SAMPLES =
            ThreadLocal.withInitial(() -> new byte[ContentAnalyzer.BLOCK * ContentAnalyzer.MAX_BLOCKS]);

    private final AtomicLong inspected = new AtomicLong();
    private final ConcurrentLinkedQueue<Finding> findings = new ConcurrentLinkedQueue<>();
    private volatile Verdict verdict;

    @Override
    public FileInspection begin(Path file, long size, boolean isNew) {
        inspected.incrementAndGet();
        return new Sample(file, size);
    }

    /** Gathers the sampled blocks as the chunks stream by. */
    private final class Sample implements FileInspection {
        private final Path file;
        private final long size;
        private final int blocks;
        private final byte[] sample = SAMPLES.get();
        private long position;

        Sample(Path file, long size) {
            this.file = file;
            this.size = size;
            this.blocks = ContentAnalyzer.blockCount(size);
            java.util.Arrays.fill(sample, (byte) 0);
        }

        @Override
        public void chunk(byte[] buffer, int offset, int length) {
            long start = position;
            long end = start + length;
            for (int i = 0; i < blocks; i++) {
                long b0 = ContentAnalyzer.blockOffset(size, blocks, i);
                long b1 = Math.min(size, b0 + ContentAnalyzer.BLOCK);
                long from = Math.max(b0, start);
                long to = Math.min(b1, end);
                if (from < to) {
                    System.arraycopy(buffer, offset + (int) (from - start), sample,
                            i * ContentAnalyzer.BLOCK + (int) (from - b0), (int) (to - from));
                }
            }
            position = end;
        }

        @Override
        public void end(boolean complete) {
            if (!complete) {
                return;
            }
            judge(file, ANALYZERS.get().profileSampled(sample, size));
        }
    }

    private void judge(Path file, ContentProfile p) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (Detector.ransomNoteName(name)) {
            findings.add(new Finding(file, Reason.RANSOM_NOTE));
            return;
        }
        if (Detector.knownRansomExtension(name)) {
            findings.add(new Finding(file, Reason.KNOWN_EXTENSION));
            return;
        }
        boolean random = p.kind() == FileKind.UNKNOWN && p.size() >= 512 && p.randomBlockCount() * 2 >= p.blocks();
        if (!random) {
            return;
        }
        if (promisesFormat(name)) {
            findings.add(new Finding(file, Reason.DOCUMENT_ENCRYPTED));
            return;
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0 && promisesFormat(name.substring(0, dot))) {
            findings.add(new Finding(file, Reason.ENCRYPTED_COPY)); // "courrier.docx.k3x9q"
        }
    }

    /** The name's extension promises a recognisable format (and not "anything, maybe encrypted"). */
    private static boolean promisesFormat(String name) {
        Set<FileKind> expected = FileKind.expectedFor(name);
        return !expected.isEmpty() && !expected.contains(FileKind.UNKNOWN) && !expected.contains(FileKind.OPENSSL)
                && !expected.contains(FileKind.PGP);
    }

    /**
     * Suspect when at least 3 findings make up at least a tenth of what changed, or 50 findings
     * whatever the volume, or 2 ransom notes. A practice's own encrypted archives carry names that
     * promise nothing (.enc, .gpg, .7z with encryption is still a 7z), so they never count.
     */
    @Override
    public List<String> finish() {
        Map<Reason, Integer> counts = new TreeMap<>();
        List<Finding> examples = new ArrayList<>();
        for (Finding f : findings) {
            counts.merge(f.reason(), 1, Integer::sum);
            if (examples.size() < 20) {
                examples.add(f);
            }
        }
        long n = findings.size();
        long total = inspected.get();
        boolean suspect = (n >= 3 && n * 10 >= total) || n >= 50 || counts.getOrDefault(Reason.RANSOM_NOTE, 0) >= 2;
        verdict = new Verdict(suspect, total, counts, examples);
        return suspect ? List.of(Forget.SUSPECT_TAG) : List.of();
    }

    /** The verdict, once the backup has finished (null before). */
    public Verdict verdict() {
        return verdict;
    }
}
