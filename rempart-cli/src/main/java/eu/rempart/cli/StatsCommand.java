package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * restic's {@code stats} and its four modes, counted by restic 0.14's rules (so that scripts written
 * for one read the other): restore-size (what a restore writes), files-by-contents (files with
 * distinct contents), blobs-per-file (the data blobs of those files) and raw-data (the deduplicated
 * blobs the snapshots use, as stored).
 */
@Command(name = "stats", description = "sizes of snapshots (restore-size), of their distinct files (files-by-contents, blobs-per-file) or of the data they reference (raw-data)")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(arity = "0..*", paramLabel = "SNAPSHOT", description = "snapshots (default: all matching)")
    List<String> snapshots = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "MODE",
            description = "what to count: restore-size (default), files-by-contents, blobs-per-file or raw-data")
    String mode = "restore-size";

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    private enum Mode {
        RESTORE_SIZE, FILES_BY_CONTENTS, BLOBS_PER_FILE, RAW_DATA;

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.toString().equals(s)) {
                    return m;
                }
            }
            throw new CliException(ExitCodes.ERROR, "error.statsMode", s);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private Mode counting;
    private long fileCount;
    private long size;
    private long blobCount;
    /** raw-data: the trees and data blobs the snapshots use. */
    private final Set<Id> trees = new HashSet<>();
    private final Set<Id> data = new HashSet<>();
    /** files-by-contents and blobs-per-file: the contents (lists of blob ids) already counted. */
    private final Set<List<Id>> contents = new HashSet<>();

    @Override
    public Integer call() throws Exception {
        counting = Mode.parse(mode);
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, false)) {
            cli.loadIndex(repo);
            Predicate<Snapshot> f = filter.predicate();
            List<Snapshot> selected = new ArrayList<>();
            Snapshots.Listing listing = cli.snapshots(repo);
            if (snapshots.isEmpty()) {
                listing.snapshots().stream().filter(f).forEach(selected::add);
            } else {
                for (String s : snapshots) {
                    selected.add(listing.find(s, f));
                }
            }
            for (Snapshot s : selected) {
                // hard links restore once: restic's rule, per snapshot, by inode and device
                walk(repo, s.tree(), new HashSet<>());
            }
            Raw raw = counting == Mode.RAW_DATA ? raw(repo) : null;
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                // restic 0.14 leaves out a zero blob count; the compression figures are those restic
                // 0.15 and later add in raw-data mode (0.14 has none)
                n.put("total_size", raw != null ? raw.stored : size);
                if (raw != null) {
                    putIfNotZero(n, "total_uncompressed_size", raw.uncompressed);
                    putIfNotZero(n, "compression_ratio", raw.ratio());
                    putIfNotZero(n, "compression_progress", raw.progress());
                    putIfNotZero(n, "compression_space_saving", raw.saving());
                }
                n.put("total_file_count", fileCount);
                putIfNotZero(n, "total_blob_count", raw != null ? raw.blobs : blobCount);
                n.put("snapshots_count", selected.size());
                cli.printJson(n);
                return ExitCodes.OK;
            }
            Messages m = cli.msg();
            cli.say("stats.mode", counting);
            cli.say("stats.snapshots", selected.size());
            if (raw != null) {
                cli.say("stats.blobs", raw.blobs);
                cli.say("stats.uncompressed", m.bytes(raw.uncompressed));
                cli.say("stats.stored", m.bytes(raw.stored));
                cli.say("stats.compression", String.format(Locale.ROOT, "%.2f", raw.progress()),
                        String.format(Locale.ROOT, "%.2f", raw.ratio()), String.format(Locale.ROOT, "%.2f", raw.saving()));
            } else {
                if (counting == Mode.BLOBS_PER_FILE) {
                    cli.say("stats.blobs", blobCount);
                }
                cli.say("stats.files", fileCount);
                cli.say("stats.size", m.bytes(size));
            }
        }
        return ExitCodes.OK;
    }

    private static void putIfNotZero(ObjectNode n, String field, long v) {
        if (v != 0) {
            n.put(field, v);
        }
    }

    private static void putIfNotZero(ObjectNode n, String field, double v) {
        if (v != 0) {
            n.put(field, v);
        }
    }

    private void walk(Repository repo, Id tree, Set<List<Long>> hardLinks) throws IOException {
        if (counting == Mode.RAW_DATA && !trees.add(tree)) {
            return; // a tree already counted references only blobs already counted
        }
        for (Node n : Cli.loadTree(repo, tree)) {
            List<Id> content = n.content() == null ? List.of() : n.content();
            switch (counting) {
                case RAW_DATA -> {
                    data.addAll(content);
                }
                case RESTORE_SIZE -> {
                    fileCount++;
                    if (n.inode() == 0 || hardLinks.add(List.of(n.inode(), n.deviceId()))) {
                        size += n.size();
                    }
                }
                // Every node counts, folders and links included: those without content are all
                // one "file" of their first node's size, as in restic.
                case FILES_BY_CONTENTS -> {
                    if (contents.add(content)) {
                        fileCount++;
                        size += n.size();
                    }
                }
                case BLOBS_PER_FILE -> {
                    if (contents.add(content) && !content.isEmpty()) {
                        fileCount++;
                        for (Id blob : new LinkedHashSet<>(content)) {
                            blobCount++;
                            size += plaintextSize(repo, BlobType.DATA, blob);
                        }
                    }
                }
            }
            if (n.type() == NodeType.DIR && n.subtree() != null) {
                walk(repo, n.subtree(), hardLinks);
            }
        }
    }

    private static PackedBlob lookup(Repository repo, BlobType type, Id id) {
        PackedBlob pb = repo.index().lookup(type, id);
        if (pb == null) {
            throw new CliException(ExitCodes.ERROR, "error.blobMissing", id.shortHex());
        }
        return pb;
    }

    private static long plaintextSize(Repository repo, BlobType type, Id id) {
        return lookup(repo, type, id).plaintextLength(MasterKey.OVERHEAD);
    }

    /**
     * raw-data's figures, as restic 0.14 computes them: sizes as stored (encrypted, compressed or
     * not), "uncompressed" sizes encrypted too, and a ratio over the compressed blobs only.
     */
    private record Raw(long blobs, long stored, long uncompressed, long compressedStored, long compressedUncompressed) {
        double ratio() {
            return compressedStored == 0 ? 0 : (double) compressedUncompressed / compressedStored;
        }

        /** Percentage of the data (uncompressed) that is stored compressed. */
        double progress() {
            return uncompressed == 0 ? 0 : (double) compressedUncompressed / uncompressed * 100;
        }

        double saving() {
            return uncompressed == 0 ? 0 : (1 - (double) stored / uncompressed) * 100;
        }
    }

    private Raw raw(Repository repo) {
        long blobs = 0;
        long stored = 0;
        long uncompressed = 0;
        long compressedStored = 0;
        long compressedUncompressed = 0;
        boolean v2 = repo.config().version() >= 2;
        for (BlobType t : BlobType.values()) {
            for (Id id : t == BlobType.TREE ? trees : data) {
                PackedBlob pb = lookup(repo, t, id);
                blobs++;
                stored += pb.length();
                if (v2) {
                    long sealed = pb.plaintextLength(MasterKey.OVERHEAD) + MasterKey.OVERHEAD;
                    uncompressed += sealed;
                    if (pb.compressed()) {
                        compressedStored += pb.length();
                        compressedUncompressed += sealed;
                    }
                }
            }
        }
        return new Raw(blobs, stored, uncompressed, compressedStored, compressedUncompressed);
    }
}
