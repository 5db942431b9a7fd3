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
     * Stores a file atomically and durably; fails if it exists already (files are immutable).
     */
    void save(FileType type, String name, byte[] data) throws IOException;

    /** Loads a whole file. @throws java.nio.file.NoSuchFileException if absent */
    byte[] load(FileType type, String name) throws IOException;

    /**
     * Loads {@code length} bytes at {@code offset}; with {@code offset < 0} loads the last
     * {@code length} bytes (or the whole file if shorter).
     */
    byte[] load(FileType type, String name, long offset, int length) throws IOException;

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
