package eu.rempart.vault.backend;

import eu.rempart.vault.FileType;

import java.io.IOException;
import java.util.List;

/**
 * Where a repository's files live. Files are written once, atomically, and never modified;
 * names are the lowercase hex storage id (except {@code config}, whose name is ignored).
 * Implementations are thread-safe.
 */
public interface Backend extends AutoCloseable {

    /** A human-readable location without credentials. */
    String location();

    /**
     * Stores a file atomically and durably; fails if it exists already (files are immutable). A
     * store without create-only writes (S3) may instead store again a file named by the SHA-256 of
     * its bytes (every file but the config), which can only be the same bytes.
     */
    void save(FileType type, String name, byte[] data) throws IOException;

    /**
     * Starts a file whose name is known only once it is complete (a pack is named by its hash), so
     * it can be streamed instead of held in memory. Nothing is visible under a valid name before
     * {@link PendingFile#commit}. This default buffers in memory and calls {@link #save}.
     */
    default PendingFile create(FileType type) throws IOException {
        return new PendingFile() {
            private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

            @Override
            public void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
            }

            @Override
            public long size() {
                return buf.size();
            }

            @Override
            public void commit(String name) throws IOException {
                save(type, name, buf.toByteArray());
            }

            @Override
            public void close() {
                buf.reset();
            }
        };
    }

    /**
     * Removes temporary files left by an interrupted process (killed, machine off) that were last
     * written longer than {@code olderThan} ago: a live writer touches its file at least every few
     * seconds. @return how many were removed
     */
    default int removeAbandoned(java.time.Duration olderThan) throws IOException {
        return 0;
    }

    /** A file being written; {@link #close} without {@link #commit} discards it. Not thread-safe. */
    interface PendingFile extends AutoCloseable {
        void write(byte[] b, int off, int len) throws IOException;

        long size();

        /** Makes the file durable and visible under {@code name}; fails if that name exists. */
        void commit(String name) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Loads a whole file. @throws java.nio.file.NoSuchFileException if absent */
    byte[] load(FileType type, String name) throws IOException;

    /**
     * Loads {@code length} bytes at {@code offset}; with {@code offset < 0} loads the last
     * {@code length} bytes (or the whole file if shorter).
     */
    byte[] load(FileType type, String name, long offset, int length) throws IOException;

    /**
     * Reads exactly {@code length} bytes at {@code offset} (not negative) into {@code dst}, so hot
     * paths can reuse a buffer. @throws java.io.EOFException if the file is shorter
     */
    default void read(FileType type, String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(dstOff, length, dst.length);
        if (length == 0) {
            return;
        }
        int n = readUpTo(type, name, offset, dst, dstOff, length);
        if (n != length) {
            throw new java.io.EOFException(type.dir() + "/" + name + ": " + n + " bytes at " + offset
                    + " instead of " + length);
        }
    }

    /**
     * Reads up to {@code length} (at least 1) bytes at {@code offset} (not negative) into
     * {@code dst}. This default loads a copy; remote stores stream straight into {@code dst}.
     *
     * @return how many: fewer only at the end of the file
     */
    default int readUpTo(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        byte[] b = load(type, name, offset, length);
        System.arraycopy(b, 0, dst, dstOff, b.length);
        return b.length;
    }

    /**
     * Like {@link #read}, for a caller that goes on to read the following bytes of the same file
     * (a check streaming a whole pack): a backend may read ahead, where {@link #read} serves
     * scattered reads.
     */
    default void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length)
            throws IOException {
        read(type, name, offset, dst, dstOff, length);
    }

    /**
     * {@link #readSequential}, from a caller whose following reads of the file stay below
     * {@code until}: a remote store is asked for no more than that (a restore that needs only
     * part of a pack).
     */
    default void readSequential(FileType type, String name, long offset, byte[] dst, int dstOff, int length,
            long until) throws IOException {
        readSequential(type, name, offset, dst, dstOff, length);
    }

    /**
     * Whether many small reads cost about what a few large ones do (a local disk), so that readers
     * need not gather them; false where every request pays a round trip (REST, S3).
     */
    default boolean readsAreCheap() {
        return false;
    }

    /**
     * Whether this backend keeps local copies of the packs holding tree blobs (a cache in front of
     * a remote store, as restic's): tree blobs are then read through {@link #readTreePack}, blob by
     * blob, and tree packs written through {@link #createTreePack}.
     */
    default boolean keepsTreePacks() {
        return false;
    }

    /** {@link #read} for a pack that holds tree blobs (see {@link #keepsTreePacks}). */
    default void readTreePack(String name, long offset, byte[] dst, int dstOff, int length) throws IOException {
        read(FileType.PACK, name, offset, dst, dstOff, length);
    }

    /** {@link #create} for a pack of tree blobs (see {@link #keepsTreePacks}). */
    default PendingFile createTreePack() throws IOException {
        return create(FileType.PACK);
    }

    /**
     * The repository's index names exactly these packs (hex ids): local copies of others, if this
     * backend keeps any, are no longer needed.
     */
    default void packsIndexed(java.util.Set<String> packs) {
    }

    /** The backend that talks to the store itself, under any local layer such as a cache. */
    default Backend store() {
        return this;
    }

    /** Size in bytes. @throws java.nio.file.NoSuchFileException if absent */
    long size(FileType type, String name) throws IOException;

    boolean exists(FileType type, String name) throws IOException;

    /** Names and sizes of all files of a type. */
    List<FileInfo> list(FileType type) throws IOException;

    void remove(FileType type, String name) throws IOException;

    /** Creates the directory structure of a new repository. */
    void create() throws IOException;

    @Override
    void close() throws IOException;

    record FileInfo(String name, long size) {
    }
}
