package eu.rempart.vault.repository;

import eu.rempart.vault.FileType;
import eu.rempart.vault.pack.PackedBlob;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads small blobs from a remote store a window of a pack at a time: a backup packs files and
 * trees in the order it walks them, and a restore or check walks them in about the same order,
 * so one request of a few MiB serves the blobs of many neighbouring files or directories, where
 * one request per blob would pay a round trip each. The last few windows are kept, shared by all
 * threads; a window being read is awaited, not read twice. Blobs larger than a quarter window, or
 * across a window's end, are read alone.
 */
final class PackWindows {
    static final int WINDOW = 4 << 20;

    private record Key(String pack, long index) {
    }

    private final Repository repo;
    private final int capacity;
    /** Least recently used first; guarded by itself. */
    private final LinkedHashMap<Key, CompletableFuture<byte[]>> windows = new LinkedHashMap<>(16, 0.75f, true);

    PackWindows(Repository repo, int capacity) {
        this.repo = repo;
        this.capacity = capacity;
    }

    BlobData load(PackedBlob pb) throws IOException {
        long k = pb.offset() / WINDOW;
        long start = k * WINDOW;
        long end = Math.min(start + WINDOW, repo.index().packDataEnd(pb.packId()));
        if (pb.length() > WINDOW / 4 || pb.offset() + pb.length() > end) {
            return repo.loadBlobShared(pb);
        }
        Key key = new Key(pb.packId().toHex(), k);
        CompletableFuture<byte[]> w;
        boolean mine = false;
        synchronized (windows) {
            w = windows.get(key);
            if (w == null) {
                w = new CompletableFuture<>();
                windows.put(key, w);
                mine = true;
                Iterator<CompletableFuture<byte[]>> it = windows.values().iterator();
                while (windows.size() > capacity && it.hasNext()) {
                    it.next();
                    it.remove();
                }
            }
        }
        if (mine) {
            try {
                byte[] b = new byte[(int) (end - start)];
                repo.backend().read(FileType.PACK, key.pack(), start, b, 0, b.length);
                w.complete(b);
            } catch (IOException | RuntimeException e) {
                synchronized (windows) {
                    windows.remove(key, w);
                }
                w.completeExceptionally(e);
            }
        }
        byte[] bytes;
        try {
            bytes = w.join();
        } catch (CompletionException e) {
            // Each waiter fails alone with the reader's error; the next one reads the window again.
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
        return repo.decodeBlobShared(pb, bytes, (int) (pb.offset() - start));
    }
}
