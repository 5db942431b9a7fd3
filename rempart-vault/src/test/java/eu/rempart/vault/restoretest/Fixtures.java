package eu.rempart.vault.restoretest;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.NodeType;
import eu.rempart.vault.tree.Tree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Real repositories and source trees for the restore test's tests. */
final class Fixtures {
    static final String PASSWORD = "restore test password";

    /** Names the restorer's include patterns cannot take literally, or that strip() would alter. */
    static final List<String> GLOB_NAMES = List.of("glob *?[ab]\\x", "[abc]", "a", "**", "close]bracket",
            "trailing blank ", " leading blank", "back\\", "*");

    private Fixtures() {
    }

    /** Backs up {@code source} into a new repository at {@code repoDir}; returns the snapshot. */
    static Snapshot backup(Path repoDir, Path source) throws IOException {
        try (Repository repo = Repository.init(new LocalBackend(repoDir), PASSWORD.toCharArray(), KdfParams.forTests(),
                null, "test", "host")) {
            BackupResult r = new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(source), null);
            assertThat(r.summary().errors()).isEmpty();
            return r.snapshot();
        }
    }

    /** Opens the repository as the agent does: index loaded. */
    static Repository open(Path repoDir) throws IOException {
        Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray());
        repo.loadIndex();
        return repo;
    }

    static void addGlobNames(Path dir) throws IOException {
        Files.createDirectories(dir);
        int i = 0;
        for (String name : GLOB_NAMES) {
            Files.writeString(dir.resolve(name), "glob content " + i++);
        }
    }

    /** Regular files below root, as the backup saw them (symlinks not followed). */
    static long regularFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }

    /** The snapshot's regular files by their path in reports. */
    static Map<String, Node> files(Repository repo, Snapshot sn) throws IOException {
        Map<String, Node> out = new TreeMap<>();
        collect(repo, sn.tree(), new ArrayList<>(), out);
        return out;
    }

    private static void collect(Repository repo, Id tree, List<byte[]> comps, Map<String, Node> out) throws IOException {
        for (Node n : Tree.decode(repo.loadBlob(BlobType.TREE, tree))) {
            comps.add(n.name());
            if (n.type() == NodeType.FILE) {
                out.put(Candidate.display(comps), n);
            } else if (n.type() == NodeType.DIR) {
                collect(repo, n.subtree(), comps, out);
            }
            comps.remove(comps.size() - 1);
        }
    }

    /** The report path of a source file. */
    static String display(Path p) {
        return FileNames.display(FileNames.pathBytes(p.toAbsolutePath().normalize()));
    }
}
