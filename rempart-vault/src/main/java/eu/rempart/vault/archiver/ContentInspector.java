package eu.rempart.vault.archiver;

import java.nio.file.Path;
import java.util.List;

/**
 * Sees the bytes of every file a backup reads, in the backup's single read pass, and may add tags
 * to the snapshot (the sentinel uses it to tag a backup of encrypted files {@code suspect}). Called
 * from several reading threads at once: implementations are thread-safe.
 */
public interface ContentInspector {
    /**
     * A file is about to be read.
     *
     * @param isNew the parent snapshot had no file at this path
     * @return what receives its chunks, or null to skip this file
     */
    FileInspection begin(Path file, long size, boolean isNew);

    /** Tags for the snapshot, decided once every file was read (e.g. "suspect"); empty for none. */
    List<String> finish();

    /** One file's bytes, in order, as the chunker cuts them. */
    interface FileInspection {
        void chunk(byte[] buffer, int offset, int length);

        /** @param complete every byte was read (false: the read failed half-way) */
        void end(boolean complete);
    }
}
