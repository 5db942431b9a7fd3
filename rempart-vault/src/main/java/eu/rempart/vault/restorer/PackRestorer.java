package eu.rempart.vault.restorer;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.PackMissingException;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.tree.Node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes files from a remote store pack by pack, as restic does: the files are planned first,
 * then each pack they need is read once, streamed in a few ranges that cover the needed blobs, and
 * every blob goes to all the places that hold it. Reading file by file asked for a range per large
 * blob and a window per group of small ones, and fetched 1.5 times the data through a REST server.
 *
 * <p>Memory stays bounded: the plan is run whenever it holds {@link #BATCH_BLOBS} blob places,
 * so a huge tree is restored a batch at a time. A backup stores files in the order it walks them,
 * so a batch needs few packs that the next one needs again.
 */
final class PackRestorer {
    /** Blob places planned before a batch runs (about 100 bytes each). */
    static final int BATCH_BLOBS = 100_000;
    /** Bytes not needed that a response may still carry, rather than paying another request. */
    static final int GAP = 256 << 10;
    /** Largest single write to a file. */
    static final int WRITE = 256 << 10;

    /** A file being written: its blobs still to come, and whether one failed. */
    private static final class FileJob {
        final Path path;
        final Node node;
        final AtomicInteger remaining;
        final AtomicBoolean failed = new AtomicBoolean();

        FileJob(Path path, Node node, int blobs) {
            this.path = path;
            this.node = node;
            this.remaining = new AtomicInteger(blobs);
        }
    }

    private record Place(FileJob file, long offset) {
    }

    /** One blob of a pack and every place it goes to. */
    private record BlobJob(PackedBlob blob, List<Place> places) {
    }

    private final Repository repo;
    private final Restorer restorer;
    private final int batchBlobs;
    /** Pack → blob → places, in the order the walk first needed them. */
    private final Map<Id, Map<Id, BlobJob>> packs = new LinkedHashMap<>();
    private int planned;

    PackRestorer(Repository repo, Restorer restorer, int batchBlobs) {
        this.repo = repo;
        this.restorer = restorer;
        this.batchBlobs = batchBlobs;
    }

    /**
     * Plans a file whose (empty) target already exists. A file with a blob missing from the index
     * is reported and not planned.
     *
     * @return whether the batch is full: the caller then {@link #run}s it
     */
    boolean add(Path p, Node n) throws IOException {
        List<PackedBlob> blobs = new ArrayList<>(n.content().size());
        long size = 0;
        for (Id id : n.content()) {
            PackedBlob pb = repo.index().lookup(BlobType.DATA, id);
            if (pb == null) {
                restorer.notIndexed(p, id);
                return false;
            }
            blobs.add(pb);
            size += pb.plaintextLength(MasterKey.OVERHEAD);
        }
        if (size != n.size()) {
            restorer.sizeMismatch(p, size, n.size());
        }
        if (blobs.isEmpty()) {
            restorer.fileWritten(p, n);
            return false;
        }
        FileJob f = new FileJob(p, n, blobs.size());
        long off = 0;
        for (PackedBlob pb : blobs) {
            packs.computeIfAbsent(pb.packId(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(pb.id(), k -> new BlobJob(pb, new ArrayList<>(1)))
                    .places().add(new Place(f, off));
            off += pb.plaintextLength(MasterKey.OVERHEAD);
        }
        planned += blobs.size();
        return planned >= batchBlobs;
    }

    boolean isEmpty() {
        return packs.isEmpty();
    }

    /** Writes everything planned, one pack per task; returns when all are written. */
    void run(ExecutorService pool) throws IOException {
        List<Future<?>> tasks = new ArrayList<>(packs.size());
        for (Map.Entry<Id, Map<Id, BlobJob>> e : packs.entrySet()) {
            List<BlobJob> blobs = new ArrayList<>(e.getValue().values());
            tasks.add(pool.submit(() -> {
                restorePack(e.getKey(), blobs);
                return null;
            }));
        }
        packs.clear();
        planned = 0;
        // A failure here is fatal (a full disk): the restore ends, and its pool stops the rest.
        Restorer.awaitAll(tasks);
    }

    private void restorePack(Id pack, List<BlobJob> blobs) throws IOException {
        blobs.sort(Comparator.comparingLong(b -> b.blob().offset()));
        Writer w = new Writer();
        try {
            for (int i = 0; i < blobs.size(); ) {
                long end = blobs.get(i).blob().offset() + blobs.get(i).blob().length();
                int j = i + 1;
                while (j < blobs.size() && blobs.get(j).blob().offset() - end <= GAP) {
                    end = Math.max(end, blobs.get(j).blob().offset() + blobs.get(j).blob().length());
                    j++;
                }
                restoreRun(pack, blobs.subList(i, j), end, w);
                i = j;
            }
        } finally {
            w.close();
        }
    }

    /**
     * Restores blobs lying close together, read one after the other from a single response that
     * ends at {@code end}: this thread holds one blob, or a segment of a large one, not the run.
     */
    private void restoreRun(Id pack, List<BlobJob> blobs, long end, Writer w) throws IOException {
        for (int k = 0; k < blobs.size(); k++) {
            BlobJob job = blobs.get(k);
            long[] done = {0};
            long length;
            try {
                length = repo.streamBlob(job.blob(), end, (b, off, len) -> {
                    for (Place pl : job.places()) {
                        w.write(pl, done[0], b, off, len);
                    }
                    done[0] += len;
                });
            } catch (VaultException e) {
                discard(job, done[0] > 0, e.getMessage(), e, w);
                continue;
            } catch (IOException | RuntimeException e) {
                if (e instanceof IOException io && Restorer.isFatal(io)) {
                    throw io; // the target disk is full, not the pack unreadable
                }
                // Already retried: the rest of the run is lost with it (the next run asks again).
                VaultException cause = e instanceof PackMissingException pm ? Restorer.missing(pm) : null;
                String why = cause != null ? cause.getMessage() : "pack " + pack.shortHex() + " unreadable: " + e.getMessage();
                discard(job, done[0] > 0, why, cause, w);
                for (BlobJob b : blobs.subList(k + 1, blobs.size())) {
                    for (Place pl : b.places()) {
                        failed(pl.file(), why, cause);
                        w.blobDone(pl.file());
                    }
                }
                return;
            }
            for (Place pl : job.places()) {
                if (!pl.file().failed.get()) {
                    restorer.bytesWritten(length);
                }
                w.blobDone(pl.file());
            }
        }
    }

    /**
     * A blob failed: its files fail, and if part of it was written (a large blob reaches the
     * files before its MAC is checked), they are cut where it starts, so no unauthenticated byte
     * stays on disk.
     */
    private void discard(BlobJob job, boolean partlyWritten, String why, VaultException cause, Writer w)
            throws IOException {
        for (Place pl : job.places()) {
            failed(pl.file(), why, cause);
            if (partlyWritten) {
                w.cut(pl);
            }
            w.blobDone(pl.file());
        }
    }

    /** Reports a file's first failure (its vault cause, if any, for the reader's language); its later blobs are not written. */
    private void failed(FileJob f, String why, VaultException cause) {
        if (f.failed.compareAndSet(false, true)) {
            restorer.error(f.path, why, cause);
        }
    }

    /**
     * Writes one task's blobs, keeping the last file open: a file's blobs in a pack are usually
     * neighbours. Not thread-safe; one per task.
     */
    private final class Writer {
        private FileJob open;
        private FileChannel ch;

        /** Writes {@code len} bytes that lie {@code at} bytes into the blob at its place. */
        void write(Place pl, long at, byte[] b, int off, int len) throws IOException {
            FileJob f = pl.file();
            if (f.failed.get()) {
                return;
            }
            try {
                channel(f);
                // At most WRITE bytes per call: the JDK copies a heap buffer into a temporary
                // direct one of the same size, and keeps it for the thread (8 MiB per worker).
                for (int done = 0; done < len; ) {
                    ByteBuffer bb = ByteBuffer.wrap(b, off + done, Math.min(WRITE, len - done));
                    long pos = pl.offset() + at + done;
                    while (bb.hasRemaining()) {
                        pos += ch.write(bb, pos);
                    }
                    done = bb.position() - off;
                }
            } catch (IOException e) {
                if (Restorer.isFatal(e)) {
                    throw e;
                }
                failed(f, Archiver.describe(e), null);
            }
        }

        /** Cuts the file where the place starts (never longer than it was). */
        void cut(Place pl) throws IOException {
            try {
                channel(pl.file()).truncate(pl.offset());
            } catch (IOException e) {
                if (Restorer.isFatal(e)) {
                    throw e;
                }
                // already failed and reported; nothing more to say about it
            }
        }

        private FileChannel channel(FileJob f) throws IOException {
            if (open != f) {
                close();
                ch = FileChannel.open(f.path, StandardOpenOption.WRITE);
                open = f;
            }
            return ch;
        }

        /** The file's metadata is set once its last blob is written and it is closed. */
        void blobDone(FileJob f) throws IOException {
            if (f.remaining.decrementAndGet() > 0) {
                return;
            }
            if (open == f) {
                close();
            }
            if (!f.failed.get()) {
                restorer.fileWritten(f.path, f.node);
            }
        }

        /** Closes the open file, if any. */
        void close() throws IOException {
            if (ch != null) {
                FileChannel c = ch;
                ch = null;
                open = null;
                c.close();
            }
        }
    }
}
