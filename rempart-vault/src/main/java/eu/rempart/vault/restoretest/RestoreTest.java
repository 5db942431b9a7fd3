package eu.rempart.vault.restoretest;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.fs.DirectFiles;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.BlobSink;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.restorer.RestoreResult;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.restoretest.RestoreTestReport.Failure;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.SnapshotSummary;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Proof that a snapshot can really be restored: a random sample of its files is restored into a
 * scratch folder and each file is checked chunk by chunk against the blob ids of the snapshot
 * (a data blob's id is the SHA-256 of its plaintext), and against the original file when that is
 * still on this machine unchanged. A file whose data cannot be read is reported with its pack.
 * The scratch folder, which holds patient data, is deleted whatever happens.
 */
public final class RestoreTest {
    /** The test runs in the background on a practice's PC: it need not take every core. */
    private static final int RESTORE_WORKERS = 2;

    private RestoreTest() {
    }

    /**
     * Runs a restore test. The repository must be open with its index loaded and a shared lock
     * held. Problems with the backup (damaged or missing pack, unreadable tree, wrong content) and
     * with the scratch folder are reported as failures, not thrown.
     */
    public static RestoreTestReport run(Repository repo, Snapshot snapshot, RestoreTestOptions opts) {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(opts, "opts");
        long start = System.nanoTime();
        List<Failure> failures = new ArrayList<>();

        Sample sample = new Sample(opts.files(), opts.maxBytes(), opts.random());
        walk(repo, snapshot.tree(), new ArrayList<>(), sample, failures);
        List<Candidate> chosen = sample.chosen();
        long bytes = 0;
        for (Candidate c : chosen) {
            bytes += c.node().size();
        }

        Path scratch = opts.scratch().toAbsolutePath().normalize();
        int matching = 0;
        boolean ours = false;
        try {
            Scratch.prepare(scratch);
            ours = true;
            matching = restoreAndCheck(repo, snapshot, chosen, scratch, failures);
        } catch (IOException e) {
            failures.add(new Failure(scratch.toString(), "scratch folder: " + Archiver.describe(e)));
        } catch (RuntimeException e) {
            // Never thrown at the weekly job: a test that could not finish is a failed test.
            failures.add(new Failure(scratch.toString(), "restore test stopped: " + Archiver.describe(e)));
        } finally {
            if (ours) {
                try {
                    Scratch.delete(scratch);
                } catch (IOException | RuntimeException e) {
                    failures.add(new Failure(scratch.toString(),
                            "scratch folder holds restored data and could not be deleted: " + Archiver.describe(e)));
                }
            }
        }
        failures.sort(Comparator.comparing(Failure::path));
        return new RestoreTestReport(snapshot.id(), snapshot.time(), sample.seen(), chosen.size(), bytes, matching,
                failures, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void walk(Repository repo, Id tree, List<byte[]> components, Sample sample, List<Failure> failures) {
        List<Node> nodes;
        try {
            nodes = Tree.decode(repo.loadBlob(BlobType.TREE, tree));
        } catch (IOException | RuntimeException e) {
            failures.add(new Failure(Candidate.display(components),
                    "tree " + tree.shortHex() + " unreadable, the files below were not tested: " + Archiver.describe(e)));
            return;
        }
        for (Node n : nodes) {
            if (n.type() != NodeType.FILE && n.type() != NodeType.DIR) {
                continue;
            }
            components.add(n.name());
            if (!validName(n.name())) {
                // the restorer skips it: whatever it holds cannot be restored
                failures.add(new Failure(Candidate.display(components), "invalid name in the snapshot, cannot be restored"));
            } else if (n.type() == NodeType.FILE) {
                sample.offer(components, n);
            } else if (n.subtree() == null) {
                failures.add(new Failure(Candidate.display(components), "directory without subtree in the snapshot"));
            } else {
                walk(repo, n.subtree(), components, sample, failures);
            }
            components.remove(components.size() - 1);
        }
    }

    /** Not empty, ".", "..", nor containing '/' or NUL: a name a file can have. */
    private static boolean validName(byte[] name) {
        try {
            FileNames.resolve(Path.of("/"), name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private record Restored(Candidate file, Path path) {
    }

    /** Restores and checks the sample; returns how many files match their source. */
    private static int restoreAndCheck(Repository repo, Snapshot snapshot, List<Candidate> chosen, Path scratch,
            List<Failure> failures) throws IOException {
        List<Candidate> byRestorer = new ArrayList<>();
        List<String> includes = new ArrayList<>();
        List<Candidate> byBlobs = new ArrayList<>();
        for (Candidate c : chosen) {
            String pattern = IncludePattern.forFile(c.components());
            if (pattern != null) {
                byRestorer.add(c);
                includes.add(pattern);
            } else {
                byBlobs.add(c);
            }
        }
        List<Restored> restored = new ArrayList<>();
        if (!byRestorer.isEmpty()) {
            restoreWithRestorer(repo, snapshot, byRestorer, includes, scratch.resolve("restore"), restored, failures);
        }
        if (!byBlobs.isEmpty()) {
            Path dir = scratch.resolve("by-blobs");
            Files.createDirectory(dir);
            int n = 0;
            for (Candidate c : byBlobs) {
                Path target = dir.resolve(Integer.toString(n++));
                String problem = restoreFromBlobs(repo, c.node(), target);
                if (problem == null) {
                    restored.add(new Restored(c, target));
                } else {
                    failures.add(new Failure(c.display(), problem));
                }
            }
        }
        Scratch.makeAccessible(scratch);
        int matching = 0;
        for (Restored r : restored) {
            Candidate c = r.file();
            MessageDigest whole = Id.sha256();
            String problem = check(repo, c.node(), r.path(), whole);
            if (problem != null) {
                // A hard link to a file whose data failed carries no error of its own: name the cause.
                String cause = blobProblem(repo, c.node());
                failures.add(new Failure(c.display(), cause != null ? cause : problem));
                continue;
            }
            switch (compareWithSource(c, whole.digest())) {
                case SAME -> matching++;
                case DIFFERENT -> failures.add(new Failure(c.display(),
                        "differs from the source file, which has the size and modification time of the snapshot"));
                case NOT_COMPARABLE -> {
                    // gone, changed since the backup, or unreadable: nothing to compare with
                }
            }
        }
        return matching;
    }

    /** The real restore path, with one include pattern per file. */
    private static void restoreWithRestorer(Repository repo, Snapshot snapshot, List<Candidate> files,
            List<String> includes, Path target, List<Restored> restored, List<Failure> failures) {
        RestoreResult result;
        try {
            result = new Restorer(repo, new RestoreOptions(includes, false, RESTORE_WORKERS), null).restore(snapshot, target);
        } catch (IOException | RuntimeException e) {
            // A full scratch disk stops the restore: none of these files is proven restorable.
            for (Candidate c : files) {
                failures.add(new Failure(c.display(), "restore stopped: " + Archiver.describe(e)));
            }
            return;
        }
        // The restorer names the restored path: map it back to the path in the snapshot.
        String root = FileNames.display(FileNames.pathBytes(target));
        Map<String, String> errors = new LinkedHashMap<>();
        for (SnapshotSummary.FileError err : result.errors()) {
            if (err.message().startsWith("metadata: ")) {
                continue; // owners, modes and xattrs of the scratch copy are not what is being proven
            }
            String path = err.path().startsWith(root + "/") ? err.path().substring(root.length()) : err.path();
            errors.merge(path, err.message(), (a, b) -> a + "; " + b);
        }
        for (Candidate c : files) {
            String err = errors.remove(c.display());
            if (err == null) {
                restored.add(new Restored(c, c.under(target)));
            } else {
                String cause = blobProblem(repo, c.node());
                failures.add(new Failure(c.display(), cause != null ? cause : "not restored: " + err));
            }
        }
        errors.forEach((path, message) -> failures.add(new Failure(path, message)));
    }

    /**
     * Writes a file from its blobs, for names the include patterns cannot select exactly.
     *
     * @return the problem, or null if it was written
     */
    private static String restoreFromBlobs(Repository repo, Node node, Path target) {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
            // Large blobs arrive in pieces (a resident agent's threads keep no 8 MiB buffers); a
            // piece that fails its MAC afterwards makes this file a failure, whatever it holds.
            // Failed writes travel unchecked, told apart from the repository's failures.
            BlobSink scratch = (b, off, len) -> {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            for (Id id : node.content()) {
                try {
                    repo.streamBlob(id, scratch);
                } catch (IOException | VaultException e) {
                    return explain(repo, id, e);
                }
            }
        } catch (IOException e) {
            return "could not be written to the scratch folder: " + Archiver.describe(e);
        } catch (UncheckedIOException e) {
            return "could not be written to the scratch folder: " + Archiver.describe(e.getCause());
        }
        return null;
    }

    /** Why some data blob of the file cannot be read, or null if all can. */
    private static String blobProblem(Repository repo, Node node) {
        for (Id id : node.content()) {
            try {
                repo.streamBlob(id, (b, off, len) -> { });
            } catch (IOException | VaultException e) {
                return explain(repo, id, e);
            }
        }
        return null;
    }

    private static String explain(Repository repo, Id blob, Exception e) {
        PackedBlob pb = repo.index().lookup(BlobType.DATA, blob);
        if (pb == null) {
            return "cannot be restored: data blob " + blob.shortHex() + " is in no pack of the index";
        }
        if (e instanceof VaultException) {
            // The repository's message names the pack and the blob and says why (damaged pack).
            return "cannot be restored: " + e.getMessage();
        }
        String pack = "pack " + pb.packId().shortHex();
        try {
            if (!repo.backend().exists(FileType.PACK, pb.packId().toHex())) {
                return "cannot be restored: " + pack + " is missing from the repository (data blob "
                        + blob.shortHex() + ")";
            }
        } catch (IOException ignored) {
            // the store cannot say either: report the read error alone
        }
        return "cannot be restored: " + pack + " cannot be read (data blob " + blob.shortHex() + "): "
                + Archiver.describe(e);
    }

    /**
     * Checks a restored file chunk by chunk against its blob ids and its size against the node;
     * feeds {@code whole} with the file's content.
     *
     * @return the problem, or null if the file is right
     */
    private static String check(Repository repo, Node node, Path file, MessageDigest whole) {
        List<Id> content = node.content();
        byte[] buf = new byte[0];
        long total = 0;
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "was not restored: no such file in the scratch folder";
        }
        try (InputStream in = DirectFiles.newInputStream(file)) {
            for (int i = 0; i < content.size(); i++) {
                Id id = content.get(i);
                PackedBlob pb = repo.index().lookup(BlobType.DATA, id);
                if (pb == null) {
                    return "cannot be checked: data blob " + id.shortHex() + " is in no pack of the index";
                }
                int len = pb.plaintextLength(MasterKey.OVERHEAD);
                if (buf.length < len) {
                    buf = new byte[len];
                }
                int n = in.readNBytes(buf, 0, len);
                whole.update(buf, 0, n);
                total += n;
                if (n < len) {
                    return "restored file is shorter than in the snapshot: " + total + " bytes, the snapshot says "
                            + node.size();
                }
                if (!Id.hash(buf, 0, n).equals(id)) {
                    return "restored content differs from the snapshot: chunk " + (i + 1) + " of " + content.size()
                            + " does not hash to data blob " + id.shortHex();
                }
            }
            if (in.read() >= 0) {
                return "restored file is longer than in the snapshot";
            }
        } catch (IOException e) {
            return "restored file cannot be read: " + Archiver.describe(e);
        }
        if (total != node.size()) {
            return "restored " + total + " bytes, the snapshot says " + node.size();
        }
        return null;
    }

    private enum SourceComparison { SAME, DIFFERENT, NOT_COMPARABLE }

    /**
     * Compares with the file at the same path on this machine, if it still has the size and
     * modification time of the snapshot. Read with O_NOATIME (DirectFiles): a changed access time
     * would make the next backup store a new tree.
     */
    private static SourceComparison compareWithSource(Candidate c, byte[] restoredSha256) {
        Node node = c.node();
        Path source = c.under(Path.of("/"));
        if (!unchangedSinceBackup(source, node)) {
            return SourceComparison.NOT_COMPARABLE;
        }
        MessageDigest md = Id.sha256();
        try (InputStream in = DirectFiles.newInputStream(source)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            return SourceComparison.NOT_COMPARABLE;
        }
        // Written to while being read (a database in use): not the file of the snapshot anymore.
        if (!unchangedSinceBackup(source, node)) {
            return SourceComparison.NOT_COMPARABLE;
        }
        return Arrays.equals(md.digest(), restoredSha256) ? SourceComparison.SAME : SourceComparison.DIFFERENT;
    }

    private static boolean unchangedSinceBackup(Path source, Node node) {
        FileStat st;
        try {
            st = FileSystemAccess.lstat(source);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return st.kind() == FileKind.FILE && st.size() == node.size() && node.mtime() != null
                && node.mtime().equals(st.mtime());
    }
}
