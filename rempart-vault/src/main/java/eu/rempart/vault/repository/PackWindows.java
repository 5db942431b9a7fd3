package eu.rempart.vault.repository;

import eu.rempart.vault.FileType;
import eu.rempart.vault.pack.PackedBlob;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads trees from a remote store a window of a pack at a time: a backup packs trees in the order
 * it walks them, and a restore, check or the next backup walks them in about the same order, so
 * one request of a few MiB serves many neighbouring directories, where one request per tree would
 * pay a round trip each. (File contents from a remote store are read pack by pack by the
 * restorer.) The last few windows are kept, shared by all
 * threads; a window being read is awaited, not read twice. Blobs larger than a quarter window, or
 * across a window's end, are read alone.
 */
final class PackWindows {
    static final int WINDOW = 4 << 20;

    private record Key(String pack, long index) {
    }

    /**
     * One window: a recycled buffer, read once by the thread that created it. A buffer goes back
     * to the free list only when the window has left the cache and its last reader is done: a
     * fresh 4 MiB array per window made the small heap collect fully every few windows.
     */
    private static final class Window {
        final CompletableFuture<Void> read = new CompletableFuture<>();
        final byte[] buf;
        int users; // guarded by windows
        boolean evicted; // guarded by windows

        Window(byte[] buf) {
            this.buf = buf;
        }
    }

    private final Repository repo;
    private final int capacity;
    /** Least recently used first; guarded by itself, as are the free list and each window's counts. */
    private final LinkedHashMap<Key, Window> windows = new LinkedHashMap<>(16, 0.75f, true);
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();

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
        Window w;
        boolean mine = false;
        synchronized (windows) {
            w = windows.get(key);
            if (w == null) {
                byte[] buf = free.poll();
                w = new Window(buf != null ? buf : new byte[WINDOW]);
                windows.put(key, w);
                mine = true;
                Iterator<Window> it = windows.values().iterator();
                while (windows.size() > capacity && it.hasNext()) {
                    Window old = it.next();
                    it.remove();
                    old.evicted = true;
                    recycleIfUnused(old);
                }
            }
            w.users++;
        }
        try {
            if (mine) {
                try {
                    Repository.named(key.pack(), (pos, dst, off, len) -> repo.backend().read(FileType.PACK, key.pack(),
                            pos, dst, off, len)).read(start, w.buf, 0, (int) (end - start));
                    w.read.complete(null);
                } catch (IOException | RuntimeException e) {
                    synchronized (windows) {
                        if (windows.remove(key, w)) {
                            w.evicted = true;
                        }
                    }
                    w.read.completeExceptionally(e);
                }
            }
            try {
                w.read.join();
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
            return repo.decodeBlobShared(pb, w.buf, (int) (pb.offset() - start));
        } finally {
            synchronized (windows) {
                w.users--;
                recycleIfUnused(w);
            }
        }
    }

    /** Called holding the lock on {@code windows}. */
    private void recycleIfUnused(Window w) {
        if (w.evicted && w.users == 0 && free.size() < capacity) {
            free.push(w.buf);
        }
    }
}
