package eu.rempart.vault.checker;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;

/**
 * One thing a check found: its kind and the values that name it (ids, paths, sizes, as text), so a
 * front end can say it in the reader's language. {@link #toString()} is the English line, which is
 * also what {@code check --json} and the agent's reports carry, as restic's check prints them.
 * {@code detail} values are the messages of the errors met (decryption, decoding, I/O), in English.
 */
public record Finding(Kind kind, List<String> args) {
    /** Every kind, with its English pattern ({@link MessageFormat}, arguments in order). */
    public enum Kind {
        /** index id, detail */
        INDEX_UNREADABLE("index {0}: {1}"),
        /** index id (the file does not match its name, authenticate or decode) */
        INDEX_DAMAGED("index {0}: damaged file; the packs no other index lists were read from their headers"
                + " (rempart repair index replaces it)"),
        /** pack id */
        PACK_MISSING("pack {0}: missing (referenced by the index)"),
        /** pack id, stored size, size the index implies */
        PACK_SIZE("pack {0}: size {1} does not match the index (expected {2})"),
        /** pack id (a hint) */
        PACK_UNREFERENCED("pack {0}: not referenced in any index (left by an interrupted run; harmless)"),
        /** the file's directory (data, index, snapshots), its name (a hint) */
        INVALID_NAME("file with an invalid name ignored: {0}/{1}"),
        /** snapshot id, detail */
        SNAPSHOT_UNREADABLE("snapshot {0}: {1}"),
        /** snapshot id (the file does not match its name, authenticate or decode) */
        SNAPSHOT_DAMAGED("snapshot {0}: damaged file, cannot be read; the other snapshots do not depend on it"
                + " (rempart forget {0} removes it)"),
        /** snapshot id, tree id, path */
        TREE_NOT_INDEXED("snapshot {0}: tree {1} ({2}) not in index"),
        /** snapshot id, tree id, path, detail */
        TREE_UNREADABLE("snapshot {0}: tree {1} ({2}): {3}"),
        /** snapshot id, path */
        DIR_WITHOUT_SUBTREE("snapshot {0}: directory {1} has no subtree"),
        /** snapshot id, path */
        FILE_WITHOUT_CONTENT("snapshot {0}: file {1} has no content list"),
        /** snapshot id, path, blob id */
        DATA_NOT_INDEXED("snapshot {0}: file {1}: data blob {2} not in index"),
        /** snapshot id, path, size in the tree, size of its blobs */
        FILE_SIZE("snapshot {0}: file {1}: size {2} does not match its blobs ({3})"),
        /** pack id, detail */
        PACK_UNREADABLE("pack {0}: cannot be read: {1}"),
        /** pack id, detail (its header does not decrypt or decode) */
        PACK_HEADER("pack {0}: header cannot be read: {1}"),
        /** pack id */
        PACK_HASH("pack {0}: content does not match its name (damaged pack)"),
        /** pack id, blob type, blob id, detail */
        BLOB_DAMAGED("pack {0}: {1} blob {2}: {3}"),
        /** pack id, blob type, blob id */
        BLOB_UNAUTHENTIC("pack {0}: {1} blob {2} failed authentication (damaged pack)"),
        /** pack id, blob type, blob id */
        BLOB_WRONG_HASH("pack {0}: {1} blob {2} does not match its hash (damaged pack)"),
        /** pack id, blob type, blob id, offset */
        BLOB_NOT_IN_HEADER("pack {0}: index lists {1} blob {2} at offset {3} which the pack header does not contain"),
        /** pack id, blob type, blob id */
        BLOB_OVERLAPS("pack {0}: {1} blob {2} overlaps the previous blob"),
        /** detail */
        INTERNAL("internal error while reading packs: {0}");

        private final String english;

        Kind(String english) {
            this.english = english;
        }

        /** The English pattern, for front ends that have no translation of this kind. */
        public String english() {
            return english;
        }
    }

    public Finding {
        args = List.copyOf(args);
    }

    static Finding of(Kind kind, Object... args) {
        String[] s = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            s[i] = String.valueOf(args[i]);
        }
        return new Finding(kind, List.of(s));
    }

    @Override
    public String toString() {
        return new MessageFormat(kind.english, Locale.ROOT).format(args.toArray());
    }
}
