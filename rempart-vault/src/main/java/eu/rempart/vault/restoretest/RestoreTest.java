package eu.rempart.vault.restoretest;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * Proof that a snapshot can really be restored: a random sample of its files is restored into a
 * scratch folder, each restored file is read back and cut into its chunks, and every chunk's
 * SHA-256 must be the blob id the snapshot recorded (ids are hashes of the plaintext), the sizes
 * must add up, and a source file still unchanged on disk (same size and modification time) must
 * have the very same SHA-256. The scratch folder (patient data) is deleted afterwards, always.
 */
public final class RestoreTest {
    /**
     * @param files    how many files to test
     * @param maxBytes no more files are sampled once the sample holds this many bytes
     * @param scratch  a folder to create, fill and delete
     */
    public record Options(int files, long maxBytes, Path scratch, RandomGenerator random) {
    }

    /** A file that did not restore identically, and why. */
    public record Failure(String path, String problem) {
    }

    public record Report(Id snapshot, Instant snapshotTime, long filesInSnapshot, int filesTested, long bytesTested,
            int filesMatchingSource, List<Failure> failures, Duration took) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private record Candidate(byte[] path, Node node) {
    }

    private RestoreTest() {
    }

    /** Runs the test; the repository's index must be loaded and a (shared) lock held. */
    public static Report run(Repository repo, Snapshot sn, Options o) throws IOException {
        long t0 = System.nanoTime();
        List<Failure> failures = new ArrayList<>();
        List<Candidate> sample = new ArrayList<>();
        long seen = sample(repo, sn, o, sample, failures);
        long bytes = 0;
        int matching = 0;
        int tested = 0;
        Files.createDirectories(o.scratch());
        try {
            trySetOwnerOnly(o.scratch());
            for (Candidate c : sample) {
                if (tested >= o.files() || bytes >= o.maxBytes()) {
                    break;
                }
                tested++;
                String shown = FileNames.display(c.path());
                Path restored = o.scratch().resolve("file-" + tested);
                try {
                    restore(repo, c.node(), restored);
                } catch (VaultException | IOException e) {
                    String why = e instanceof NoSuchFileException ? "a pack holding its data is missing" : e.getMessage();
                    failures.add(new Failure(shown, "cannot be restored: " + why));
                    continue;
                }
                bytes += c.node().size();
                String problem = verify(repo, c.node(), restored);
                if (problem != null) {
                    failures.add(new Failure(shown, problem));
                    continue;
                }
                Path source = FileNames.fromBytes(c.path());
                if (unchanged(source, c.node())) {
                    if (Arrays.equals(sha256(source), sha256(restored))) {
                        matching++;
                    } else {
                        failures.add(new Failure(shown, "differs from the source file although its size and date are unchanged"));
                    }
                }
                Files.delete(restored);
            }
        } finally {
            deleteTree(o.scratch());
        }
        return new Report(sn.id(), sn.time(), seen, tested, bytes, matching, List.copyOf(failures),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Reservoir sampling of the non-empty regular files (memory bounded by the sample size). */
    private static long sample(Repository repo, Snapshot sn, Options o, List<Candidate> sample, List<Failure> failures)
            throws IOException {
        int k = Math.max(1, o.files()) * 2; // spares, for the byte limit
        long seen = 0;
        Deque<Candidate> dirs = new ArrayDeque<>();
        dirs.push(new Candidate(new byte[0], null));
        Deque<Id> trees = new ArrayDeque<>();
        trees.push(sn.tree());
        while (!trees.isEmpty()) {
            Id tree = trees.pop();
            byte[] dir = dirs.pop().path();
            List<Node> nodes;
            try {
                nodes = Tree.decode(repo.loadBlob(BlobType.TREE, tree));
            } catch (VaultException | IOException e) {
                failures.add(new Failure(FileNames.display(dir) + "/", "folder cannot be read: " + e.getMessage()));
                continue;
            }
            for (Node n : nodes) {
                byte[] path = join(dir, n.name());
                if (n.type() == NodeType.DIR && n.subtree() != null) {
                    trees.push(n.subtree());
                    dirs.push(new Candidate(path, null));
                } else if (n.type() == NodeType.FILE && n.size() > 0) {
                    seen++;
                    if (sample.size() < k) {
                        sample.add(new Candidate(path, n));
                    } else {
                        long j = o.random().nextLong(seen);
                        if (j < k) {
                            sample.set((int) j, new Candidate(path, n));
                        }
                    }
                }
            }
        }
        // the order of the reservoir is not random yet
        for (int i = sample.size() - 1; i > 0; i--) {
            int j = o.random().nextInt(i + 1);
            Candidate t = sample.get(i);
            sample.set(i, sample.get(j));
            sample.set(j, t);
        }
        return seen;
    }

    private static byte[] join(byte[] dir, byte[] name) {
        byte[] p = Arrays.copyOf(dir, dir.length + 1 + name.length);
        p[dir.length] = '/';
        System.arraycopy(name, 0, p, dir.length + 1, name.length);
        return p;
    }

    private static void restore(Repository repo, Node n, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            for (Id b : n.content()) {
                out.write(repo.loadBlob(BlobType.DATA, b));
            }
        }
    }

    /** Reads the restored file back chunk by chunk: each chunk's hash must be its blob id. */
    private static String verify(Repository repo, Node n, Path restored) throws IOException {
        long size = Files.size(restored);
        if (size != n.size()) {
            return "restored with " + size + " bytes instead of " + n.size();
        }
        try (InputStream in = Files.newInputStream(restored)) {
            int i = 0;
            for (Id b : n.content()) {
                int len = repo.index().lookup(BlobType.DATA, b).plaintextLength(eu.rempart.vault.crypto.MasterKey.OVERHEAD);
                byte[] chunk = in.readNBytes(len);
                if (chunk.length != len || !Id.hash(chunk).equals(b)) {
                    return "chunk " + i + " read back does not match its hash";
                }
                i++;
            }
        }
        return null;
    }

    private static boolean unchanged(Path source, Node n) {
        try {
            return Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS) && Files.size(source) == n.size()
                    && Files.getLastModifiedTime(source, LinkOption.NOFOLLOW_LINKS).toInstant().equals(n.mtime());
        } catch (IOException | RuntimeException e) {
            return false; // unreadable or gone: nothing to compare with
        }
    }

    private static byte[] sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void trySetOwnerOnly(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX (Windows): the folder inherits its parent's ACL
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
